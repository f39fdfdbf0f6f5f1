//! The shipped word table (`models/prompt/bandmate-prompt.bin`): int8 word vectors distilled from
//! all-MiniLM-L6-v2 and the vectors of every descriptor anchor phrase, in one space. Checked
//! against its sha256 and against the descriptor file it was made from before use.

use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// The table bytes, embedded at build time.
pub const TABLE_BYTES: &[u8] = include_bytes!("../../../models/prompt/bandmate-prompt.bin");
/// `sha256  file` as the recipe wrote it.
const TABLE_SHA256: &str = include_str!("../../../models/prompt/bandmate-prompt.bin.sha256");
/// The descriptor file the table's anchors must come from.
pub const DESCRIPTORS: &str = include_str!("../../../models/prompt/descriptors.tsv");

const MAGIC: &[u8; 8] = b"BMPROMPT";
const FORMAT: u32 = 1;

/// Why the table cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the word table's checksum is {actual}, expected {expected}: it is damaged")]
    Checksum { expected: String, actual: String },
    #[error("the word table is malformed: {0}")]
    Format(String),
    #[error("the word table was made from another descriptor list")]
    Descriptors,
}

/// The parsed table. Vectors are unit length before quantization, so the scaled dot product of
/// two rows is their cosine similarity (within quantization error).
#[derive(Debug)]
pub struct Table {
    dims: usize,
    /// Word start and length in `bytes`, sorted by the words' bytes.
    words: Vec<(u32, u8)>,
    word_vecs: Vec<i8>,
    word_scales: Vec<f32>,
    anchor_vecs: Vec<i8>,
    anchor_scales: Vec<f32>,
    bytes: Vec<u8>,
}

/// One row of the table: a word's or an anchor's vector.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    vec: &'a [i8],
    scale: f32,
}

impl Row<'_> {
    /// Cosine similarity with another row.
    pub fn cosine(&self, other: &Row<'_>) -> f32 {
        let dot: i32 = self
            .vec
            .iter()
            .zip(other.vec)
            .map(|(&a, &b)| i32::from(a) * i32::from(b))
            .sum();
        dot as f32 * self.scale * other.scale
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The sha256 the shipped table must have.
pub fn expected_sha256() -> &'static str {
    TABLE_SHA256.split_whitespace().next().unwrap_or("")
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TableError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| TableError::Format(format!("truncated at byte {}", self.at)))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32, TableError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn scales(&mut self, n: usize) -> Result<Vec<f32>, TableError> {
        let raw = self.take(n * 4)?;
        Ok(raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

impl Table {
    /// Parses table bytes, checking the sha256 against the shipped one, the format and that the
    /// anchors match [`DESCRIPTORS`] (`anchors` is their count there).
    pub fn from_bytes(bytes: &[u8], anchors: usize) -> Result<Table, TableError> {
        let actual = hex(&Sha256::digest(bytes));
        if actual != expected_sha256() {
            return Err(TableError::Checksum {
                expected: expected_sha256().to_string(),
                actual,
            });
        }
        let mut r = Reader { bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return Err(TableError::Format("not a Bandmate prompt table".into()));
        }
        let format = r.u32()?;
        if format != FORMAT {
            return Err(TableError::Format(format!(
                "format {format}, expected {FORMAT}"
            )));
        }
        let dims = r.u32()? as usize;
        let n_words = r.u32()? as usize;
        let n_anchors = r.u32()? as usize;
        if !(8..=1024).contains(&dims) || n_words > 1_000_000 {
            return Err(TableError::Format(format!(
                "{dims} dimensions, {n_words} words"
            )));
        }
        if r.take(32)? != Sha256::digest(DESCRIPTORS.as_bytes()).as_slice() || n_anchors != anchors
        {
            return Err(TableError::Descriptors);
        }
        let mut words = Vec::with_capacity(n_words);
        for _ in 0..n_words {
            let len = r.take(1)?[0];
            let start = r.at as u32;
            let w = r.take(usize::from(len))?;
            if std::str::from_utf8(w).is_err() {
                return Err(TableError::Format("a word is not UTF-8".into()));
            }
            words.push((start, len));
        }
        let word_vecs = r.take(n_words * dims)?.iter().map(|&b| b as i8).collect();
        let word_scales = r.scales(n_words)?;
        let anchor_vecs = r.take(n_anchors * dims)?.iter().map(|&b| b as i8).collect();
        let anchor_scales = r.scales(n_anchors)?;
        if r.at != bytes.len() {
            return Err(TableError::Format("trailing bytes".into()));
        }
        let table = Table {
            dims,
            words,
            word_vecs,
            word_scales,
            anchor_vecs,
            anchor_scales,
            bytes: bytes.to_vec(),
        };
        if table
            .words
            .windows(2)
            .any(|w| table.word_at(w[0]) >= table.word_at(w[1]))
        {
            return Err(TableError::Format("words are not sorted".into()));
        }
        Ok(table)
    }

    /// The shipped table, parsed once (any thread).
    pub fn shipped(anchors: usize) -> &'static Result<Table, TableError> {
        static TABLE: OnceLock<Result<Table, TableError>> = OnceLock::new();
        TABLE.get_or_init(|| Table::from_bytes(TABLE_BYTES, anchors))
    }

    fn word_at(&self, (start, len): (u32, u8)) -> &[u8] {
        &self.bytes[start as usize..start as usize + usize::from(len)]
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    pub fn word_count(&self) -> usize {
        self.words.len()
    }

    /// The vector of `word` (lower case), when the table has it.
    pub fn word(&self, word: &str) -> Option<Row<'_>> {
        let i = self
            .words
            .binary_search_by(|&w| self.word_at(w).cmp(word.as_bytes()))
            .ok()?;
        Some(Row {
            vec: &self.word_vecs[i * self.dims..(i + 1) * self.dims],
            scale: self.word_scales[i],
        })
    }

    /// The vector of anchor `i` (in [`DESCRIPTORS`] order).
    pub fn anchor(&self, i: usize) -> Row<'_> {
        Row {
            vec: &self.anchor_vecs[i * self.dims..(i + 1) * self.dims],
            scale: self.anchor_scales[i],
        }
    }
}
