//! Optional persistence: the whole state as one JSON document in an SQLite file, and the clock
//! offset (so a test that moved the emulator's clock finds it moved after a restart).

use std::path::Path;

use rusqlite::Connection;

use crate::state::State;

/// Persistence errors.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The stored document is not valid.
    #[error("stored state is invalid: {0}")]
    Json(#[from] serde_json::Error),
}

/// An SQLite file holding the state (table `emulator_state`, one row) and settings such as the
/// clock offset (table `emulator_meta`, key/value).
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Open (or create) the file.
    pub fn open(path: &Path) -> Result<Self, PersistError> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS emulator_state (id INTEGER PRIMARY KEY, json TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS emulator_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )?;
        Ok(Self { conn })
    }

    /// Load the stored state, if any.
    pub fn load(&self) -> Result<Option<State>, PersistError> {
        let mut stmt = self
            .conn
            .prepare("SELECT json FROM emulator_state WHERE id = 1")?;
        let mut rows = stmt.query([])?;
        match rows.next()? {
            Some(row) => {
                let text: String = row.get(0)?;
                Ok(Some(serde_json::from_str(&text)?))
            }
            None => Ok(None),
        }
    }

    /// Save the state in one transaction.
    pub fn save(&self, state: &State) -> Result<(), PersistError> {
        let text = serde_json::to_string(state)?;
        self.conn.execute(
            "INSERT INTO emulator_state (id, json) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET json = excluded.json",
            [text],
        )?;
        Ok(())
    }

    /// The stored clock offset in milliseconds (0 when never stored).
    pub fn load_clock_offset(&self) -> Result<i64, PersistError> {
        let mut stmt = self
            .conn
            .prepare("SELECT value FROM emulator_meta WHERE key = 'clock_offset_ms'")?;
        let mut rows = stmt.query([])?;
        match rows.next()? {
            Some(row) => {
                let text: String = row.get(0)?;
                Ok(text.trim().parse().unwrap_or(0))
            }
            None => Ok(0),
        }
    }

    /// Store the clock offset in milliseconds.
    pub fn save_clock_offset(&self, offset_ms: i64) -> Result<(), PersistError> {
        self.conn.execute(
            "INSERT INTO emulator_meta (key, value) VALUES ('clock_offset_ms', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [offset_ms.to_string()],
        )?;
        Ok(())
    }
}
