//! Words the outputs print around the text, in the language of the page:
//! one table per language, chosen by [`crate::lang::Lang::labels`].

use serde::Serialize;

/// Fixed words of the site and the book, in one language.
#[derive(Debug, Clone, Serialize)]
pub struct Labels {
    /// "Table des matières".
    pub contents: &'static str,
    /// "Liste des figures" (`[book] lists`).
    pub list_of_figures: &'static str,
    /// "Liste des tableaux".
    pub list_of_tables: &'static str,
    /// "Index": the back-of-book index (of subjects).
    pub index: &'static str,
    /// "Index des noms" (`[index] names = true`).
    pub index_of_names: &'static str,
    /// "voir", before an index entry's cross-reference.
    pub see: &'static str,
    /// "voir aussi".
    pub see_also: &'static str,
    /// "Contributeurs".
    pub contributors: &'static str,
    /// "Précédent".
    pub previous: &'static str,
    /// "Suivant".
    pub next: &'static str,
    /// "Rechercher".
    pub search: &'static str,
    /// Placeholder of the search box.
    pub search_placeholder: &'static str,
    /// Shown when a search finds nothing.
    pub no_results: &'static str,
    /// Heading of the notes.
    pub notes: &'static str,
    /// "Résumé".
    #[serde(rename = "abstract")]
    pub abstract_: &'static str,
    /// "Mots-clés".
    pub keywords: &'static str,
    /// "Auteurs".
    pub authors: &'static str,
    /// "Sous la direction de".
    pub editors: &'static str,
    /// "Télécharger le PDF".
    pub download_pdf: &'static str,
    /// "Télécharger l'EPUB".
    pub download_epub: &'static str,
    /// Back-link of a footnote.
    pub back_to_text: &'static str,
    /// "Chapitre".
    pub chapter: &'static str,
    /// "Partie".
    pub part: &'static str,
    /// "Accueil".
    pub home: &'static str,
    /// "Éditeur".
    pub publisher: &'static str,
    /// "Licence".
    pub license: &'static str,
    /// "ISBN".
    pub isbn: &'static str,
    /// "Année".
    pub year: &'static str,
    /// "ORCID".
    pub orcid: &'static str,
    /// Skip link.
    pub skip_to_content: &'static str,
    /// "Figure".
    pub figure: &'static str,
    /// "Tableau".
    pub table: &'static str,
    /// "Section".
    pub section: &'static str,
    /// "Brouillon": the mark of draft builds.
    pub draft: &'static str,
    /// "Commentaires ouverts": the heading of a draft chapter's comments.
    pub open_comments: &'static str,
    /// "propose": before a comment's suggested replacement.
    pub suggests: &'static str,
    /// Said of a comment whose quoted text is no longer in the chapter.
    pub orphaned: &'static str,
    /// "Modifié depuis votre approbation de la révision": before the diff
    /// a draft shows its maker since their approval went stale.
    pub since_your_approval: &'static str,
    /// "révision".
    pub revision: &'static str,
    /// "état".
    pub state: &'static str,
    /// "Tiré à part de": the first line of an offprint.
    pub offprint: &'static str,
    /// "page": a page marker's spoken label ("page 12").
    pub page: &'static str,
    /// "Pages": the EPUB's page list.
    pub pages: &'static str,
    /// Heading of a reference list.
    pub references: &'static str,
    /// "Citer ce chapitre".
    pub cite_chapter: &'static str,
    /// "Citer cet ouvrage".
    pub cite_book: &'static str,
    /// Link to the BibTeX of a reference.
    pub bibtex: &'static str,
    /// Title of the review dashboard.
    pub review_status: &'static str,
    /// "approbation(s) requise(s)".
    pub approvals_required: &'static str,
    /// "Relecteurs".
    pub reviewers: &'static str,
    /// "modifié depuis l'approbation".
    pub changed_since_approval: &'static str,
    /// "non vérifié".
    pub unverified: &'static str,
    /// Names of the contributors' roles.
    pub roles: RoleLabels,
    /// "Couverture": the EPUB's cover landmark.
    pub cover: &'static str,
    /// Title of the EPUB's landmarks.
    pub landmarks: &'static str,
    /// The EPUB's landmark of the first chapter.
    pub start: &'static str,
    /// Between a label and its value: a no-break space before the colon in French.
    pub colon: &'static str,
    /// The name of a ticked task list checkbox.
    pub task_done: &'static str,
    /// The name of an unticked task list checkbox.
    pub task_open: &'static str,
    /// The name of a code block, which scrolls on its own.
    pub code: &'static str,
    /// The name of a display formula, which scrolls on its own.
    pub formula: &'static str,
    /// The titles of GitHub's alerts, by kind.
    pub alerts: AlertLabels,
}

/// The words that head an alert (`> [!NOTE]`), by its kind.
#[derive(Debug, Clone, Serialize)]
pub struct AlertLabels {
    /// `[!NOTE]`.
    pub note: &'static str,
    /// `[!TIP]`.
    pub tip: &'static str,
    /// `[!IMPORTANT]`.
    pub important: &'static str,
    /// `[!WARNING]`.
    pub warning: &'static str,
    /// `[!CAUTION]`.
    pub caution: &'static str,
}

impl AlertLabels {
    /// The word for an alert's kind (the kind itself for an unknown one).
    pub fn of<'a>(&self, kind: &'a str) -> &'a str
    where
        'static: 'a,
    {
        match kind {
            "note" => self.note,
            "tip" => self.tip,
            "important" => self.important,
            "warning" => self.warning,
            "caution" => self.caution,
            other => other,
        }
    }
}

/// Names of the roles of contributors.toml, keyed like the roles themselves.
#[derive(Debug, Clone, Serialize)]
pub struct RoleLabels {
    /// `author`.
    pub author: &'static str,
    /// `reviewer`.
    pub reviewer: &'static str,
    /// `editor`.
    pub editor: &'static str,
}

impl Labels {
    /// The labels for a primary language subtag (lowercase): French,
    /// Italian, else English.
    pub(super) fn for_primary(primary: &str) -> &'static Labels {
        match primary {
            "fr" => &FR,
            "it" => &IT,
            _ => &EN,
        }
    }
}

/// French.
pub static FR: Labels = Labels {
    contents: "Table des matières",
    list_of_figures: "Liste des figures",
    list_of_tables: "Liste des tableaux",
    index: "Index",
    index_of_names: "Index des noms",
    see: "voir",
    see_also: "voir aussi",
    contributors: "Contributeurs et contributrices",
    previous: "Précédent",
    next: "Suivant",
    search: "Rechercher",
    search_placeholder: "Rechercher dans le livre…",
    no_results: "Aucun résultat",
    notes: "Notes",
    abstract_: "Résumé",
    keywords: "Mots-clés",
    authors: "Auteurs",
    editors: "Sous la direction de",
    download_pdf: "Télécharger le PDF",
    download_epub: "Télécharger l'EPUB",
    back_to_text: "Retour au texte",
    chapter: "Chapitre",
    part: "Partie",
    home: "Accueil",
    publisher: "Éditeur",
    license: "Licence",
    isbn: "ISBN",
    year: "Année",
    orcid: "ORCID",
    skip_to_content: "Aller au contenu",
    figure: "Figure",
    table: "Tableau",
    section: "section",
    draft: "Brouillon",
    open_comments: "Commentaires ouverts",
    suggests: "propose",
    orphaned: "le texte cité n’est plus dans le chapitre",
    since_your_approval: "Modifié depuis votre approbation de la révision",
    revision: "révision",
    state: "état",
    offprint: "Tiré à part de",
    page: "page",
    pages: "Pages",
    references: "Références",
    cite_chapter: "Citer ce chapitre",
    cite_book: "Citer cet ouvrage",
    bibtex: "Référence BibTeX",
    review_status: "État des relectures",
    approvals_required: "approbation(s) requise(s)",
    reviewers: "Relecture",
    changed_since_approval: "modifié depuis l'approbation",
    unverified: "événements non vérifiés",
    roles: RoleLabels {
        author: "autrice ou auteur",
        reviewer: "relecture",
        editor: "direction",
    },
    cover: "Couverture",
    landmarks: "Repères",
    start: "Début du texte",
    colon: "\u{a0}: ",
    alerts: AlertLabels {
        note: "Note",
        tip: "Conseil",
        important: "Important",
        warning: "Attention",
        caution: "Prudence",
    },
    task_done: "Tâche faite",
    task_open: "Tâche à faire",
    code: "Code",
    formula: "Formule",
};

/// Italian.
pub static IT: Labels = Labels {
    contents: "Indice",
    list_of_figures: "Indice delle figure",
    list_of_tables: "Indice delle tabelle",
    index: "Indice analitico",
    index_of_names: "Indice dei nomi",
    see: "vedi",
    see_also: "vedi anche",
    contributors: "Autrici e autori",
    previous: "Precedente",
    next: "Successivo",
    search: "Cerca",
    search_placeholder: "Cerca nel libro…",
    no_results: "Nessun risultato",
    notes: "Note",
    abstract_: "Sommario",
    keywords: "Parole chiave",
    authors: "Autori",
    editors: "A cura di",
    download_pdf: "Scarica il PDF",
    download_epub: "Scarica l'EPUB",
    back_to_text: "Torna al testo",
    chapter: "Capitolo",
    part: "Parte",
    home: "Inizio",
    publisher: "Editore",
    license: "Licenza",
    isbn: "ISBN",
    year: "Anno",
    orcid: "ORCID",
    skip_to_content: "Vai al contenuto",
    figure: "Figura",
    table: "Tabella",
    section: "sezione",
    draft: "Bozza",
    open_comments: "Commenti aperti",
    suggests: "propone",
    orphaned: "il testo citato non è più nel capitolo",
    since_your_approval: "Modificato dalla sua approvazione della revisione",
    revision: "revisione",
    state: "stato",
    offprint: "Estratto da",
    page: "pagina",
    pages: "Pagine",
    references: "Bibliografia",
    cite_chapter: "Come citare questo capitolo",
    cite_book: "Come citare questo volume",
    bibtex: "Riferimento BibTeX",
    review_status: "Stato delle revisioni",
    approvals_required: "approvazione/i richiesta/e",
    reviewers: "Revisione",
    changed_since_approval: "modificato dopo l'approvazione",
    unverified: "eventi non verificati",
    roles: RoleLabels {
        author: "autore",
        reviewer: "revisione",
        editor: "cura",
    },
    cover: "Copertina",
    landmarks: "Punti di riferimento",
    start: "Inizio del testo",
    colon: ": ",
    alerts: AlertLabels {
        note: "Nota",
        tip: "Suggerimento",
        important: "Importante",
        warning: "Attenzione",
        caution: "Cautela",
    },
    task_done: "Attività completata",
    task_open: "Attività da completare",
    code: "Codice",
    formula: "Formula",
};

/// English.
pub static EN: Labels = Labels {
    contents: "Contents",
    list_of_figures: "List of figures",
    list_of_tables: "List of tables",
    index: "Index",
    index_of_names: "Index of names",
    see: "see",
    see_also: "see also",
    contributors: "Contributors",
    previous: "Previous",
    next: "Next",
    search: "Search",
    search_placeholder: "Search the book…",
    no_results: "No results",
    notes: "Notes",
    abstract_: "Abstract",
    keywords: "Keywords",
    authors: "Authors",
    editors: "Edited by",
    download_pdf: "Download the PDF",
    download_epub: "Download the EPUB",
    back_to_text: "Back to text",
    chapter: "Chapter",
    part: "Part",
    home: "Home",
    publisher: "Publisher",
    license: "Licence",
    isbn: "ISBN",
    year: "Year",
    orcid: "ORCID",
    skip_to_content: "Skip to content",
    figure: "Figure",
    table: "Table",
    section: "section",
    draft: "Draft",
    open_comments: "Open comments",
    suggests: "suggests",
    orphaned: "the quoted text is no longer in the chapter",
    since_your_approval: "Changed since your approval of revision",
    revision: "revision",
    state: "state",
    offprint: "Offprint from",
    page: "page",
    pages: "Pages",
    references: "References",
    cite_chapter: "How to cite this chapter",
    cite_book: "How to cite this book",
    bibtex: "BibTeX reference",
    review_status: "Review status",
    approvals_required: "approval(s) required",
    reviewers: "Reviewers",
    changed_since_approval: "changed since approval",
    unverified: "unverified events",
    roles: RoleLabels {
        author: "author",
        reviewer: "reviewer",
        editor: "editor",
    },
    cover: "Cover",
    landmarks: "Landmarks",
    start: "Start of content",
    colon: ": ",
    alerts: AlertLabels {
        note: "Note",
        tip: "Tip",
        important: "Important",
        warning: "Warning",
        caution: "Caution",
    },
    task_done: "Completed task",
    task_open: "Incomplete task",
    code: "Code",
    formula: "Formula",
};
