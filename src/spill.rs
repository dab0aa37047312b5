//! Spill: per-article lists that only a late stage reads (the roles
//! stage's shingles), kept in an unnamed temporary file rather than in
//! memory, so that they do not sit beside the vectors, sketches and
//! candidate index while those are in use.
//!
//! Pieces of consecutive articles are written in parallel, each at a range
//! of the file reserved for it; a list is read back by offset. Where the
//! pieces lie in the file depends on the threads' timing, what is read back
//! does not.

use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// The lists of a batch, piece by piece, in a temporary file.
#[derive(Debug)]
pub struct SpilledLists {
    file: File,
    /// Bytes written so far (the next piece's offset).
    end: AtomicU64,
    /// Articles per piece (the last may have fewer).
    piece_len: usize,
    pieces: Vec<SpilledPiece>,
}

/// Where one piece's lists lie in the file.
#[derive(Debug, Clone, Default)]
pub struct SpilledPiece {
    /// Byte offset of the piece's first list.
    offset: u64,
    /// Where each list starts, in items from `offset`; one more entry than lists.
    starts: Vec<u64>,
}

impl SpilledLists {
    /// An empty store in a new unnamed temporary file (in `TMPDIR`), whose
    /// pieces hold `piece_len` articles each.
    pub fn new(piece_len: usize) -> Result<SpilledLists> {
        let file = tempfile::tempfile().map_err(|e| Error::io(temp_dir(), e))?;
        Ok(SpilledLists { file, end: AtomicU64::new(0), piece_len, pieces: Vec::new() })
    }

    /// Writes the lists of one piece of consecutive articles (callable from
    /// several threads at once); [`SpilledLists::set_pieces`] takes what it returns.
    pub fn write_piece(&self, lists: &[Vec<u32>]) -> Result<SpilledPiece> {
        let mut starts = Vec::with_capacity(lists.len() + 1);
        let mut bytes = Vec::with_capacity(4 * lists.iter().map(Vec::len).sum::<usize>());
        starts.push(0);
        for list in lists {
            bytes.extend(list.iter().flat_map(|x| x.to_le_bytes()));
            starts.push((bytes.len() / 4) as u64);
        }
        let offset = self.end.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        write_all_at(&self.file, &bytes, offset).map_err(|e| Error::io(temp_dir(), e))?;
        Ok(SpilledPiece { offset, starts })
    }

    /// Records the pieces written, in article order.
    pub fn set_pieces(&mut self, pieces: Vec<SpilledPiece>) {
        self.pieces = pieces;
    }

    /// Article `doc`'s list.
    pub fn get(&self, doc: usize) -> Result<Vec<u32>> {
        let piece = &self.pieces[doc / self.piece_len];
        let at = doc % self.piece_len;
        let (from, to) = (piece.starts[at], piece.starts[at + 1]);
        let mut bytes = vec![0u8; (4 * (to - from)) as usize];
        read_exact_at(&self.file, &mut bytes, piece.offset + 4 * from).map_err(|e| Error::io(temp_dir(), e))?;
        Ok(bytes.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect())
    }
}

fn temp_dir() -> PathBuf {
    std::env::temp_dir().join("(newsdedup temporary file)")
}

/// Reads exactly `buf.len()` bytes of `file` from `offset`.
#[cfg(unix)]
pub(crate) fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

/// Writes all of `buf` into `file` at `offset`.
#[cfg(unix)]
fn write_all_at(file: &File, buf: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

/// Reads exactly `buf.len()` bytes of `file` from `offset`.
#[cfg(windows)]
pub(crate) fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// Writes all of `buf` into `file` at `offset`.
#[cfg(windows)]
fn write_all_at(file: &File, mut buf: &[u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, buf, offset)? {
            0 => return Err(std::io::ErrorKind::WriteZero.into()),
            n => {
                buf = &buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_back_as_written_whatever_order_pieces_were_written_in() {
        let lists: Vec<Vec<u32>> = (0..7u32).map(|i| (0..i * 3).map(|x| x * 1000 + i).collect()).collect();
        let mut store = SpilledLists::new(3).unwrap();
        // Pieces of three articles, the last written first.
        let last = store.write_piece(&lists[6..]).unwrap();
        let middle = store.write_piece(&lists[3..6]).unwrap();
        let first = store.write_piece(&lists[..3]).unwrap();
        store.set_pieces(vec![first, middle, last]);
        for (doc, list) in lists.iter().enumerate() {
            assert_eq!(&store.get(doc).unwrap(), list);
        }
    }
}
