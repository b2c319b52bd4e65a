//! Typst's view of the book: our own `World`.
//!
//! Generated sources live in memory under `/__ouvrage/`; every other path is
//! a file of the book, served only if its real path (symlinks resolved) is
//! inside the book root. Packages are served from the local package folders
//! typst-cli uses (`@local`, and the cache of `@preview`), never downloaded.
//! Fonts are Typst's embedded ones, the book's `fonts/` folder, and the
//! system's when asked. The World is built once and kept: `update` swaps the
//! generated sources and resets the file cache, so that Typst's memoisation
//! reuses what did not change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::files::{FileLoader, FileStore};
use typst_kit::fonts::FontStore;
use typst_kit::packages::FsPackages;

use super::emit::GENERATED_DIR;

/// Which fonts the World offers besides Typst's embedded ones.
#[derive(Debug, Clone, Default)]
pub struct FontOptions {
    /// Folders to scan (the book's `fonts/`).
    pub dirs: Vec<PathBuf>,
    /// Whether to add the system's fonts.
    pub system: bool,
}

/// Loads files for Typst: generated sources, the book's files, local packages.
struct BookFiles {
    root: PathBuf,
    generated: HashMap<String, Bytes>,
    packages: Vec<FsPackages>,
}

impl FileLoader for BookFiles {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        let vpath = id.vpath();
        match id.root() {
            VirtualRoot::Project => {
                let path = vpath.get_with_slash();
                if let Some(bytes) = self.generated.get(path) {
                    return Ok(bytes.clone());
                }
                if path.starts_with(&format!("{GENERATED_DIR}/")) {
                    return Err(FileError::NotFound(PathBuf::from(path)));
                }
                self.load_book_file(vpath)
            }
            VirtualRoot::Package(spec) => {
                let root = self
                    .packages
                    .iter()
                    .find_map(|p| p.obtain(spec))
                    .ok_or_else(|| {
                        FileError::Other(Some(
                            format!("package {spec} is not installed locally (ouvrage never downloads packages)").into(),
                        ))
                    })?;
                root.load(vpath)
            }
        }
    }
}

impl BookFiles {
    /// A book file, refused if its real path leaves the book root.
    fn load_book_file(&self, vpath: &VirtualPath) -> FileResult<Bytes> {
        let path = vpath.realize(&self.root).map_err(FileError::from)?;
        let real = path
            .canonicalize()
            .map_err(|e| FileError::from_io(e, &path))?;
        if !real.starts_with(&self.root) {
            return Err(FileError::AccessDenied);
        }
        if real.is_dir() {
            return Err(FileError::IsDirectory);
        }
        std::fs::read(&real)
            .map(Bytes::new)
            .map_err(|e| FileError::from_io(e, &real))
    }
}

/// The book as Typst sees it.
pub struct BookWorld {
    library: LazyHash<Library>,
    fonts: FontStore,
    files: FileStore<BookFiles>,
    main: FileId,
    today: Option<Datetime>,
}

/// The id of a generated or book file at virtual path `path`.
pub fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl BookWorld {
    /// A World for the book at `root` (which must exist).
    pub fn new(root: &Path, fonts: &FontOptions) -> std::io::Result<Self> {
        let root = root.canonicalize()?;
        let mut store = FontStore::new();
        store.extend(typst_kit::fonts::embedded());
        for dir in &fonts.dirs {
            if dir.is_dir() {
                store.extend(typst_kit::fonts::scan(dir));
            }
        }
        if fonts.system {
            store.extend(typst_kit::fonts::system());
        }
        let packages = [FsPackages::system_data(), FsPackages::system_cache()]
            .into_iter()
            .flatten()
            .collect();
        let main = file_id(super::emit::MAIN_PATH).expect("a valid virtual path");
        Ok(BookWorld {
            library: LazyHash::new(Library::builder().build()),
            fonts: store,
            files: FileStore::new(BookFiles {
                root,
                generated: HashMap::new(),
                packages,
            }),
            main,
            today: None,
        })
    }

    /// Replaces the generated sources (virtual path → text) and the date, and
    /// forgets what was read, so that the next compile sees the book as it is.
    pub fn update(
        &mut self,
        generated: impl IntoIterator<Item = (String, String)>,
        today: Option<Datetime>,
    ) {
        let loader = self.files.loader_mut();
        loader.generated = generated
            .into_iter()
            .map(|(path, text)| (path, Bytes::from_string(text)))
            .collect();
        self.today = today;
        self.files.reset();
    }

    /// The virtual path of a file id, for diagnostics.
    pub fn path_of(id: FileId) -> String {
        match id.root() {
            VirtualRoot::Project => id.vpath().get_with_slash().to_string(),
            VirtualRoot::Package(spec) => format!("{spec}{}", id.vpath().get_with_slash()),
        }
    }
}

impl World for BookWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.files.source(id)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.file(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The document's own date, never the clock: the same input gives the same PDF.
        self.today
    }
}
