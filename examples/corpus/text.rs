//! Pseudo-text that looks French or Italian: real articles, prepositions and
//! connectors around nouns, adjectives and verbs made up from syllables (so no
//! sentence can be attributed to anyone), with the punctuation and elisions
//! that the typography pass works on: `l'`, `d'`, `qu'`, « », `:`, `;`, `?`,
//! `!`, numbers with units.

use super::rng::Rng;

/// The language of a chapter.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lang {
    /// French.
    Fr,
    /// Italian.
    It,
}

impl Lang {
    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::It => "it",
        }
    }
}

/// A made-up noun with its grammatical gender.
#[derive(Clone)]
pub struct Noun {
    pub word: String,
    pub feminine: bool,
}

/// A made-up adjective: masculine and feminine forms.
#[derive(Clone)]
pub struct Adjective {
    pub masculine: String,
    pub feminine: String,
}

/// The words of one language.
pub struct Lexicon {
    pub lang: Lang,
    pub nouns: Vec<Noun>,
    pub adjectives: Vec<Adjective>,
    pub verbs: Vec<String>,
}

const ONSETS: &[&str] = &[
    "b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "br", "cr", "tr", "pl", "gr",
    "fl", "pr", "st", "",
];
const FR_VOWELS: &[&str] = &[
    "a", "e", "i", "o", "u", "é", "ou", "ai", "au", "an", "on", "in", "eu", "a", "i", "o",
];
const IT_VOWELS: &[&str] = &["a", "e", "i", "o", "u", "a", "o", "ia", "io", "ie"];
const IT_ONSETS: &[&str] = &[
    "b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "tr", "pr", "st",
    "sc", "gl", "",
];

/// A run of syllables (`syllables` of them, or one or two when 0).
fn stem(rng: &mut Rng, lang: Lang, syllables: usize) -> String {
    let syllables = if syllables == 0 {
        rng.range(1, 2)
    } else {
        syllables
    };
    let (onsets, vowels) = match lang {
        Lang::Fr => (ONSETS, FR_VOWELS),
        Lang::It => (IT_ONSETS, IT_VOWELS),
    };
    let mut s = String::new();
    for i in 0..syllables {
        let onset = *rng.pick(onsets);
        // A word starts with a consonant more often than not; inside, always.
        if i > 0 && onset.is_empty() {
            s.push_str(rng.pick::<&str>(&onsets[..onsets.len() - 1]));
        } else {
            s.push_str(onset);
        }
        s.push_str(rng.pick::<&str>(vowels));
    }
    s
}

impl Lexicon {
    /// A vocabulary made from the seed: the same generator gives the same words.
    pub fn new(lang: Lang, rng: &mut Rng) -> Lexicon {
        let mut nouns = Vec::new();
        let mut adjectives = Vec::new();
        let mut verbs = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut fresh = |rng: &mut Rng, make: &dyn Fn(&mut Rng) -> String| loop {
            let w = make(rng);
            if seen.insert(w.clone()) {
                return w;
            }
        };
        match lang {
            Lang::Fr => {
                const FEM: &[&str] = &["tion", "ité", "ure", "ance", "ade", "ence", "ise"];
                const MASC: &[&str] = &["ment", "age", "isme", "eur", "oir", "at", "on"];
                for i in 0..1800 {
                    let feminine = i % 2 == 0;
                    let word = fresh(rng, &|r: &mut Rng| {
                        let n = r.range(1, 2);
                        let suffix = if feminine {
                            *r.pick(FEM)
                        } else {
                            *r.pick(MASC)
                        };
                        format!("{}{suffix}", stem(r, Lang::Fr, n))
                    });
                    nouns.push(Noun { word, feminine });
                }
                const ADJ: &[(&str, &str)] = &[
                    ("al", "ale"),
                    ("ique", "ique"),
                    ("eux", "euse"),
                    ("if", "ive"),
                    ("able", "able"),
                    ("el", "elle"),
                    ("ier", "ière"),
                ];
                for _ in 0..700 {
                    let (m, f) = *rng.pick(ADJ);
                    let base = fresh(rng, &|r: &mut Rng| stem(r, Lang::Fr, 0));
                    adjectives.push(Adjective {
                        masculine: format!("{base}{m}"),
                        feminine: format!("{base}{f}"),
                    });
                }
                const VERB: &[&str] = &["e", "ise", "ifie", "ionne", "ère", "ine"];
                for _ in 0..600 {
                    verbs.push(fresh(rng, &|r: &mut Rng| {
                        format!("{}{}", stem(r, Lang::Fr, 0), r.pick(VERB))
                    }));
                }
            }
            Lang::It => {
                const FEM: &[&str] = &["zione", "ità", "tura", "anza", "enza", "ella"];
                const MASC: &[&str] = &["mento", "ore", "ismo", "ato", "aggio", "ino"];
                for i in 0..1400 {
                    let feminine = i % 2 == 0;
                    let word = fresh(rng, &|r: &mut Rng| {
                        let n = r.range(1, 2);
                        let suffix = if feminine {
                            *r.pick(FEM)
                        } else {
                            *r.pick(MASC)
                        };
                        format!("{}{suffix}", stem(r, Lang::It, n))
                    });
                    nouns.push(Noun { word, feminine });
                }
                const ADJ: &[(&str, &str)] = &[
                    ("ale", "ale"),
                    ("ico", "ica"),
                    ("oso", "osa"),
                    ("ivo", "iva"),
                    ("ario", "aria"),
                    ("ente", "ente"),
                ];
                for _ in 0..600 {
                    let (m, f) = *rng.pick(ADJ);
                    let base = fresh(rng, &|r: &mut Rng| stem(r, Lang::It, 0));
                    adjectives.push(Adjective {
                        masculine: format!("{base}{m}"),
                        feminine: format!("{base}{f}"),
                    });
                }
                const VERB: &[&str] = &["a", "isce", "ende", "ona", "ica"];
                for _ in 0..500 {
                    verbs.push(fresh(rng, &|r: &mut Rng| {
                        format!("{}{}", stem(r, Lang::It, 0), r.pick(VERB))
                    }));
                }
            }
        }
        Lexicon {
            lang,
            nouns,
            adjectives,
            verbs,
        }
    }

    /// A noun, frequent words more often.
    pub fn noun(&self, rng: &mut Rng) -> Noun {
        rng.skewed(&self.nouns).clone()
    }

    fn starts_with_vowel(word: &str) -> bool {
        matches!(
            word.chars().next(),
            Some('a' | 'e' | 'i' | 'o' | 'u' | 'é' | 'è' | 'h')
        )
    }

    /// `le/la/l'` + noun (`il/lo/la/l'` in Italian).
    fn definite(&self, n: &Noun) -> String {
        let vowel = Self::starts_with_vowel(&n.word);
        match (self.lang, vowel, n.feminine) {
            (_, true, _) => format!("l'{}", n.word),
            (Lang::Fr, false, true) => format!("la {}", n.word),
            (Lang::Fr, false, false) => format!("le {}", n.word),
            (Lang::It, false, true) => format!("la {}", n.word),
            (Lang::It, false, false) => {
                if n.word.starts_with('s') && !n.word[1..].starts_with(['a', 'e', 'i', 'o', 'u'])
                    || n.word.starts_with('z')
                {
                    format!("lo {}", n.word)
                } else {
                    format!("il {}", n.word)
                }
            }
        }
    }

    /// `de` + definite article, contracted (`du`, `de la`, `de l'`; `del`, `della`, `dell'`).
    fn of(&self, n: &Noun) -> String {
        let vowel = Self::starts_with_vowel(&n.word);
        match (self.lang, vowel, n.feminine) {
            (Lang::Fr, true, _) => format!("de l'{}", n.word),
            (Lang::Fr, false, true) => format!("de la {}", n.word),
            (Lang::Fr, false, false) => format!("du {}", n.word),
            (Lang::It, true, _) => format!("dell'{}", n.word),
            (Lang::It, false, true) => format!("della {}", n.word),
            (Lang::It, false, false) => format!("del {}", n.word),
        }
    }

    fn adjective(&self, rng: &mut Rng, feminine: bool) -> String {
        let a = rng.skewed(&self.adjectives);
        if feminine {
            a.feminine.clone()
        } else {
            a.masculine.clone()
        }
    }

    /// A noun phrase: article, noun, sometimes an adjective and a complement.
    pub fn phrase(&self, rng: &mut Rng) -> String {
        let n = self.noun(rng);
        let mut s = self.definite(&n);
        if rng.chance(45) {
            s.push(' ');
            s.push_str(&self.adjective(rng, n.feminine));
        }
        if rng.chance(35) {
            let m = self.noun(rng);
            s.push(' ');
            s.push_str(&self.of(&m));
        }
        s
    }

    /// A bare noun phrase for titles and captions (no article).
    pub fn label(&self, rng: &mut Rng) -> String {
        let n = self.noun(rng);
        let mut s = capitalize(&n.word);
        s.push(' ');
        s.push_str(&self.adjective(rng, n.feminine));
        if rng.chance(50) {
            let m = self.noun(rng);
            s.push(' ');
            s.push_str(&self.of(&m));
        }
        s
    }

    fn connector(&self, rng: &mut Rng) -> &'static str {
        const FR: &[&str] = &[
            "Ainsi, ",
            "En outre, ",
            "Pourtant, ",
            "De fait, ",
            "Dans ce contexte, ",
            "Par ailleurs, ",
            "Autrement dit, ",
            "Aujourd'hui, ",
            "D'après les enquêtes, ",
        ];
        const IT: &[&str] = &[
            "Tuttavia, ",
            "Inoltre, ",
            "In effetti, ",
            "Di conseguenza, ",
            "Per questo, ",
            "Dall'altra parte, ",
            "Oggi, ",
        ];
        match self.lang {
            Lang::Fr => rng.pick::<&str>(FR),
            Lang::It => rng.pick::<&str>(IT),
        }
    }

    fn number(&self, rng: &mut Rng) -> String {
        let n = rng.range(2, 980);
        match rng.below(6) {
            0 => format!("{n} %"),
            1 => format!("{n} km"),
            2 => format!("{n} €"),
            3 => match self.lang {
                Lang::Fr => format!("en {}", rng.range(1950, 2025)),
                Lang::It => format!("nel {}", rng.range(1950, 2025)),
            },
            4 => match self.lang {
                Lang::Fr => format!("{n} habitants"),
                Lang::It => format!("{n} abitanti"),
            },
            _ => format!("{n} m²"),
        }
    }

    fn quoted(&self, rng: &mut Rng) -> String {
        let n = self.noun(rng);
        let inner = format!("{} {}", n.word, self.adjective(rng, n.feminine));
        // Straight quotes half the time: the typography pass makes them « ».
        if rng.chance(50) {
            format!("« {inner} »")
        } else {
            format!("\"{inner}\"")
        }
    }

    /// One sentence, ending with its punctuation.
    pub fn sentence(&self, rng: &mut Rng) -> String {
        let mut s = String::with_capacity(160);
        let connector = if rng.chance(25) {
            self.connector(rng)
        } else {
            ""
        };
        let subject = self.phrase(rng);
        if connector.is_empty() {
            s.push_str(&capitalize(&subject));
        } else {
            s.push_str(connector);
            s.push_str(&subject);
        }
        s.push(' ');
        s.push_str(rng.skewed::<String>(&self.verbs));
        s.push(' ');
        s.push_str(&self.phrase(rng));
        match rng.below(14) {
            0 => {
                s.push_str(match self.lang {
                    Lang::Fr => " ; ",
                    Lang::It => "; ",
                });
                s.push_str(&self.phrase(rng));
                s.push(' ');
                s.push_str(rng.skewed::<String>(&self.verbs));
                s.push(' ');
                s.push_str(&self.phrase(rng));
            }
            1 => {
                s.push_str(match self.lang {
                    Lang::Fr => " : ",
                    Lang::It => ": ",
                });
                s.push_str(&self.phrase(rng));
                s.push_str(", ");
                s.push_str(&self.phrase(rng));
            }
            2 => {
                s.push(' ');
                s.push_str(&self.number(rng));
            }
            3 => {
                s.push_str(match self.lang {
                    Lang::Fr => ", qu'on appelle ",
                    Lang::It => ", detta ",
                });
                s.push_str(&self.quoted(rng));
            }
            4 => {
                s.push_str(match self.lang {
                    Lang::Fr => " d'une manière ",
                    Lang::It => " in modo ",
                });
                s.push_str(&self.adjective(rng, self.lang == Lang::Fr));
            }
            _ => {}
        }
        let end = match rng.below(40) {
            0 | 1 => match self.lang {
                Lang::Fr => " ?",
                Lang::It => "?",
            },
            2 => match self.lang {
                Lang::Fr => " !",
                Lang::It => "!",
            },
            _ => ".",
        };
        s.push_str(end);
        s
    }
}

/// The first letter in upper case.
pub fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Words in a text, as a word count counts them (whitespace-separated runs
/// with at least one letter or digit).
pub fn count_words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// A made-up person's name: first and last names from syllables, clearly
/// no one's.
pub fn person_name(rng: &mut Rng) -> (String, String) {
    const FIRST_END: &[&str] = &["a", "ine", "o", "elle", "ien", "ia", "an", "ette", "io"];
    const LAST_END: &[&str] = &[
        "ac", "elli", "oret", "ard", "ini", "eau", "ier", "ozzi", "and", "enne",
    ];
    let first = format!(
        "{}{}",
        capitalize(&stem(rng, Lang::Fr, 0)),
        rng.pick(FIRST_END)
    );
    let last = format!(
        "{}{}",
        capitalize(&stem(rng, Lang::It, 0)),
        rng.pick(LAST_END)
    );
    (first, last)
}

/// Lowercase ASCII letters only (for ids, keys and emails).
pub fn ascii(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'a'..='z' => Some(c),
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            'é' | 'è' | 'ê' | 'É' => Some('e'),
            'à' | 'â' => Some('a'),
            'ô' => Some('o'),
            'ù' | 'û' => Some('u'),
            'î' | 'ï' => Some('i'),
            'ç' => Some('c'),
            _ => None,
        })
        .collect()
}
