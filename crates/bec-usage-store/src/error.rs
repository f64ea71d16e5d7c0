//! The crate's one error type: a kind to branch on and a message a person can act on.

use std::fmt;
use std::path::Path;

/// What kind of failure an [`Error`] is. Callers branch on this, never on the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The store file cannot be opened or created (a missing folder, no permission, a
    /// locked file).
    Open,
    /// The file is a SQLite database of another program (its `application_id` is not
    /// ours): it is left alone.
    NotAStore,
    /// The file was written by a newer bec-usage with a schema this one does not know:
    /// it is left alone; upgrade, or point the store elsewhere.
    NewerSchema,
    /// A damaged file could not be set aside (renamed).
    SetAside,
    /// A read or write of the open store failed (disk full, I/O error, a damaged page
    /// found while running).
    Database,
    /// A response cannot be kept day by day exactly as it was answered (see
    /// [`crate::days::split_days`]): answer it, but do not store it.
    NotStorable,
    /// An argument is out of its domain (a reversed range, an absurd date).
    InvalidArgument,
}

impl ErrorKind {
    /// A stable name for logs (the variant's name).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Open => "Open",
            ErrorKind::NotAStore => "NotAStore",
            ErrorKind::NewerSchema => "NewerSchema",
            ErrorKind::SetAside => "SetAside",
            ErrorKind::Database => "Database",
            ErrorKind::NotStorable => "NotStorable",
            ErrorKind::InvalidArgument => "InvalidArgument",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of every fallible operation of this crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A [`ErrorKind::Database`] error of SQLite's while doing `what` on the store at `path`.
    pub(crate) fn database(path: &Path, what: &str, error: &rusqlite::Error) -> Self {
        Error::new(
            ErrorKind::Database,
            format!(
                "the history store {}: {what} failed: {error}; check the disk (space, \
                 permissions); a damaged file is set aside at the next start",
                path.display()
            ),
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {}
