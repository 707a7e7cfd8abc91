//! The binary container shared by snarkjs' `.ptau`, `.zkey` and circom's `.r1cs` files
//! (iden3 `binfileutils`): 4 magic bytes, `u32` version, `u32` section count, then sections
//! `(u32 id, u64 size, size bytes)`, all little-endian. Reading seeks into the file, so
//! multi-gigabyte Powers of Tau files are never loaded whole.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::CeremonyError;

/// An open container file and its section table.
pub struct BinReader {
    file: File,
    name: String,
    len: u64,
    /// Section id -> (offset of the data, size). Each id at most once.
    sections: BTreeMap<u32, (u64, u64)>,
    /// File format version.
    pub version: u32,
}

impl BinReader {
    /// Opens `path`, checks the magic and reads the section table; a section id that
    /// appears twice or a section that runs past the end of the file is an error.
    pub fn open(path: &Path, magic: &'static str) -> Result<Self, CeremonyError> {
        let name = path.display().to_string();
        let mut file = File::open(path).map_err(|e| CeremonyError::io(path, e))?;
        let len = file
            .metadata()
            .map_err(|e| CeremonyError::io(path, e))?
            .len();
        let trunc = |what: &str| CeremonyError::Truncated {
            file: name.clone(),
            what: what.to_string(),
        };
        let mut head = [0u8; 12];
        if len < 12 {
            return Err(trunc("file header (12 bytes)"));
        }
        file.read_exact(&mut head)
            .map_err(|e| CeremonyError::io(path, e))?;
        let found: [u8; 4] = head[0..4].try_into().expect("4 bytes");
        if found != magic.as_bytes() {
            return Err(CeremonyError::BadMagic {
                file: name,
                expected: magic,
                found,
            });
        }
        let version = u32::from_le_bytes(head[4..8].try_into().expect("4 bytes"));
        let n = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
        let mut sections = BTreeMap::new();
        let mut pos = 12u64;
        for i in 0..n {
            if pos + 12 > len {
                return Err(trunc(&format!("header of section {} of {n}", i + 1)));
            }
            let mut sh = [0u8; 12];
            file.seek(SeekFrom::Start(pos))
                .and_then(|_| file.read_exact(&mut sh))
                .map_err(|e| CeremonyError::io(path, e))?;
            let id = u32::from_le_bytes(sh[0..4].try_into().expect("4 bytes"));
            let size = u64::from_le_bytes(sh[4..12].try_into().expect("8 bytes"));
            let start = pos + 12;
            if start.checked_add(size).is_none_or(|end| end > len) {
                return Err(trunc(&format!(
                    "section {id} announces {size} bytes, the file has {} left",
                    len - start
                )));
            }
            if sections.insert(id, (start, size)).is_some() {
                return Err(CeremonyError::Malformed {
                    file: name,
                    what: format!("section {id} appears twice"),
                });
            }
            pos = start + size;
        }
        if pos != len {
            return Err(CeremonyError::Malformed {
                file: name,
                what: format!("{} bytes after the last section", len - pos),
            });
        }
        Ok(BinReader {
            file,
            name,
            len,
            sections,
            version,
        })
    }

    /// The file name, for error messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Total length of the file in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty (never true for an opened file).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Size of section `id`, if present.
    pub fn section_size(&self, id: u32) -> Option<u64> {
        self.sections.get(&id).map(|s| s.1)
    }

    /// Size of section `id`, or a `Malformed` error naming it.
    pub fn require(&self, id: u32, what: &str) -> Result<u64, CeremonyError> {
        self.section_size(id)
            .ok_or_else(|| CeremonyError::Malformed {
                file: self.name.clone(),
                what: format!("section {id} ({what}) is missing"),
            })
    }

    /// Reads `len` bytes at `offset` inside section `id`.
    pub fn read(&mut self, id: u32, offset: u64, len: u64) -> Result<Vec<u8>, CeremonyError> {
        let (start, size) = *self
            .sections
            .get(&id)
            .ok_or_else(|| CeremonyError::Malformed {
                file: self.name.clone(),
                what: format!("section {id} is missing"),
            })?;
        if offset.checked_add(len).is_none_or(|end| end > size) {
            return Err(CeremonyError::Truncated {
                file: self.name.clone(),
                what: format!(
                    "section {id}: {len} bytes at offset {offset} needed, the section has {size}"
                ),
            });
        }
        let mut buf = vec![0u8; len as usize];
        let path = PathBuf::from(&self.name);
        self.file
            .seek(SeekFrom::Start(start + offset))
            .and_then(|_| self.file.read_exact(&mut buf))
            .map_err(|e| CeremonyError::io(&path, e))?;
        Ok(buf)
    }

    /// Reads the whole of section `id`.
    pub fn read_all(&mut self, id: u32) -> Result<Vec<u8>, CeremonyError> {
        let size = self.require(id, "needed")?;
        self.read(id, 0, size)
    }
}

/// A cursor over a section's bytes that reports truncation as a typed error.
pub struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    file: &'a str,
    what: &'a str,
}

impl<'a> Cursor<'a> {
    /// A cursor over `buf`, which is `what` of `file` (for error messages).
    pub fn new(buf: &'a [u8], file: &'a str, what: &'a str) -> Self {
        Cursor {
            buf,
            pos: 0,
            file,
            what,
        }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], CeremonyError> {
        if self.buf.len() - self.pos < n {
            return Err(CeremonyError::Truncated {
                file: self.file.to_string(),
                what: format!("{} ends at byte {}", self.what, self.buf.len()),
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// The next little-endian `u32`.
    pub fn u32(&mut self) -> Result<u32, CeremonyError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    /// The next little-endian `u64`.
    pub fn u64(&mut self) -> Result<u64, CeremonyError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
}

/// Writes a container file atomically: data goes to a temporary file next to the target,
/// which replaces the target only in [`BinWriter::finish`].
pub struct BinWriter {
    out: BufWriter<File>,
    tmp: PathBuf,
    target: PathBuf,
    section_start: Option<u64>,
    pos: u64,
}

impl BinWriter {
    /// Starts `path` with `magic`, `version` and `n_sections`.
    pub fn create(
        path: &Path,
        magic: &'static str,
        version: u32,
        n_sections: u32,
    ) -> Result<Self, CeremonyError> {
        let tmp = tmp_path(path);
        let file = File::create(&tmp).map_err(|e| CeremonyError::io(&tmp, e))?;
        let mut w = BinWriter {
            out: BufWriter::with_capacity(1 << 20, file),
            tmp,
            target: path.to_path_buf(),
            section_start: None,
            pos: 0,
        };
        w.write(magic.as_bytes())?;
        w.u32(version)?;
        w.u32(n_sections)?;
        Ok(w)
    }

    /// Writes raw bytes.
    pub fn write(&mut self, b: &[u8]) -> Result<(), CeremonyError> {
        self.out
            .write_all(b)
            .map_err(|e| CeremonyError::io(&self.tmp, e))?;
        self.pos += b.len() as u64;
        Ok(())
    }

    /// Writes a little-endian `u32`.
    pub fn u32(&mut self, v: u32) -> Result<(), CeremonyError> {
        self.write(&v.to_le_bytes())
    }

    /// Writes a little-endian `u64`.
    pub fn u64(&mut self, v: u64) -> Result<(), CeremonyError> {
        self.write(&v.to_le_bytes())
    }

    /// Opens section `id` (its size is patched in by [`BinWriter::end_section`]).
    pub fn start_section(&mut self, id: u32) -> Result<(), CeremonyError> {
        self.u32(id)?;
        self.section_start = Some(self.pos);
        self.u64(0)
    }

    /// Closes the open section.
    pub fn end_section(&mut self) -> Result<(), CeremonyError> {
        let start = self.section_start.take().ok_or_else(|| {
            CeremonyError::InvalidArgument("end_section without start_section".into())
        })?;
        let size = self.pos - start - 8;
        let tmp = self.tmp.clone();
        let io = |e| CeremonyError::io(&tmp, e);
        // BufWriter's seek flushes the buffer first.
        self.out.seek(SeekFrom::Start(start)).map_err(io)?;
        self.out.write_all(&size.to_le_bytes()).map_err(io)?;
        self.out.seek(SeekFrom::Start(self.pos)).map_err(io)?;
        Ok(())
    }

    /// Writes a whole section.
    pub fn section(&mut self, id: u32, data: &[u8]) -> Result<(), CeremonyError> {
        self.u32(id)?;
        self.u64(data.len() as u64)?;
        self.write(data)
    }

    /// Flushes, syncs and renames the temporary file onto the target.
    pub fn finish(self) -> Result<(), CeremonyError> {
        let tmp = self.tmp.clone();
        let file = self
            .out
            .into_inner()
            .map_err(|e| CeremonyError::io(&tmp, e.into_error()))?;
        file.sync_all().map_err(|e| CeremonyError::io(&tmp, e))?;
        drop(file);
        std::fs::rename(&tmp, &self.target).map_err(|e| CeremonyError::io(&self.target, e))
    }
}

/// `dir/.name.tmp-<pid>` next to `path`.
fn tmp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}
