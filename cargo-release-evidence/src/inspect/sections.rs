//! Named sections of an ELF, PE or Mach-O file, read without loading the file: `object`'s
//! `ReadCache` reads the headers and the section table lazily from disk, and a section's bytes
//! are read only when asked for and only up to a cap. A huge (or sparse, or hostile) binary
//! costs its headers, never its size; symbol tables are not read at all.

use crate::error::{Error, Result};
use object::elf::{FileHeader32, FileHeader64};
use object::macho::{MachHeader32, MachHeader64};
use object::pe::{ImageDosHeader, ImageNtHeaders32, ImageNtHeaders64};
use object::read::ReadCache;
use object::read::elf::{FileHeader, SectionHeader};
use object::read::macho::{MachHeader, Section as _, Segment as _};
use object::read::pe::ImageNtHeaders;
use object::{Endianness, FileKind, ReadRef};
use std::fs::File;
use std::path::{Path, PathBuf};

/// At most this many ELF section headers are read (64 bytes each).
const MAX_ELF_SECTIONS: u64 = 1 << 16;
/// At most this many bytes of Mach-O load commands are read.
const MAX_MACHO_COMMANDS: u64 = 16 << 20;

/// An opened binary and the place of each of its sections in the file.
pub struct Binary {
    path: PathBuf,
    cache: ReadCache<File>,
    sections: Vec<SectionRef>,
}

struct SectionRef {
    name: Vec<u8>,
    offset: u64,
    size: u64,
}

type Parsed = std::result::Result<Vec<SectionRef>, String>;

/// `object`'s error as text (its constructor is private, so ours are plain text too).
fn o<T>(r: object::Result<T>) -> std::result::Result<T, String> {
    r.map_err(|e| e.to_string())
}

impl Binary {
    /// Opens `path` and reads its section table (not its sections).
    pub fn open(path: &Path) -> Result<Binary> {
        let meta = std::fs::metadata(path)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        if !meta.is_file() {
            return Err(Error::usage(
                "BINARY",
                format!("{} is not a regular file", path.display()),
            ));
        }
        let file =
            File::open(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        let cache = ReadCache::new(file);
        let not_executable = |what: String| {
            Error::usage(
                "BINARY",
                format!(
                    "{} is not an executable this tool reads (ELF, PE, Mach-O): {what}",
                    path.display()
                ),
            )
        };
        let data = &cache;
        let kind = FileKind::parse(data).map_err(|e| not_executable(e.to_string()))?;
        let parsed = match kind {
            FileKind::Elf32 => elf::<FileHeader32<Endianness>>(data),
            FileKind::Elf64 => elf::<FileHeader64<Endianness>>(data),
            FileKind::Pe32 => pe::<ImageNtHeaders32>(data),
            FileKind::Pe64 => pe::<ImageNtHeaders64>(data),
            FileKind::MachO32 => macho::<MachHeader32<Endianness>>(data),
            FileKind::MachO64 => macho::<MachHeader64<Endianness>>(data),
            FileKind::MachOFat32 | FileKind::MachOFat64 => {
                return Err(not_executable(
                    "a universal (fat) Mach-O file; extract one architecture with `lipo -thin ARCH`"
                        .to_owned(),
                ));
            }
            other => return Err(not_executable(format!("{other:?}"))),
        };
        let sections = parsed.map_err(not_executable)?;
        Ok(Binary {
            path: path.to_path_buf(),
            cache,
            sections,
        })
    }

    /// The bytes of the first section named one of `names`, refused when larger than `max`.
    pub fn section(&self, names: &[&str], max: u64) -> Result<Option<Vec<u8>>> {
        let Some(s) = self
            .sections
            .iter()
            .find(|s| names.iter().any(|n| n.as_bytes() == s.name.as_slice()))
        else {
            return Ok(None);
        };
        let name = String::from_utf8_lossy(&s.name);
        if s.size > max {
            return Err(Error::Environment(format!(
                "{}: section {name} is {} bytes, more than the {} this tool reads from it",
                self.path.display(),
                s.size,
                human_size(max)
            )));
        }
        let bytes = (&self.cache)
            .read_bytes_at(s.offset, s.size)
            .map_err(|()| {
                Error::Environment(format!(
                    "{}: section {name} ({} bytes at offset {}) lies outside the file",
                    self.path.display(),
                    s.size,
                    s.offset
                ))
            })?;
        Ok(Some(bytes.to_vec()))
    }
}

/// `16 MiB`, `64 KiB`, … for the caps in messages.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

fn elf<Elf: FileHeader<Endian = Endianness>>(data: &ReadCache<File>) -> Parsed {
    let header = o(Elf::parse(data))?;
    let endian = o(header.endian())?;
    if u64::from(o(header.shnum(endian, data))?) > MAX_ELF_SECTIONS {
        return Err("more than 65536 ELF section headers".to_owned());
    }
    let table = o(header.sections(endian, data))?;
    Ok(table
        .iter()
        .filter_map(|s| {
            let name = table.section_name(endian, s).ok()?;
            let (offset, size) = s.file_range(endian)?;
            Some(SectionRef {
                name: name.to_vec(),
                offset,
                size,
            })
        })
        .collect())
}

fn pe<Pe: ImageNtHeaders>(data: &ReadCache<File>) -> Parsed {
    let dos = o(ImageDosHeader::parse(data))?;
    let mut offset = u64::from(dos.nt_headers_offset());
    let (nt, _) = o(Pe::parse(data, &mut offset))?;
    let table = o(nt.sections(data, offset))?;
    Ok(table
        .iter()
        .map(|s| {
            let (offset, size) = s.pe_file_range();
            SectionRef {
                name: s.raw_name().to_vec(),
                offset: u64::from(offset),
                size: u64::from(size),
            }
        })
        .collect())
}

fn macho<Mach: MachHeader<Endian = Endianness>>(data: &ReadCache<File>) -> Parsed {
    let header = o(Mach::parse(data, 0))?;
    let endian = o(header.endian())?;
    if u64::from(header.sizeofcmds(endian)) > MAX_MACHO_COMMANDS {
        return Err("more than 16 MiB of Mach-O load commands".to_owned());
    }
    let mut out = Vec::new();
    let mut commands = o(header.load_commands(endian, data, 0))?;
    while let Some(command) = o(commands.next())? {
        let Some((segment, section_data)) = o(Mach::Segment::from_command(command))? else {
            continue;
        };
        let sections = o(segment.sections(endian, section_data))?;
        for item in segment.section_offsets(endian, sections) {
            let (section, offset) = o(item)?;
            if let Some((offset, size)) = section.file_range(endian, offset) {
                out.push(SectionRef {
                    name: section.name().to_vec(),
                    offset,
                    size,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::Binary;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(super::human_size(16 << 20), "16 MiB");
        assert_eq!(super::human_size(64 << 10), "64 KiB");
        assert_eq!(super::human_size(1000), "1000 bytes");
    }

    fn le16(v: &mut Vec<u8>, x: u16) {
        v.extend_from_slice(&x.to_le_bytes());
    }
    fn le32(v: &mut Vec<u8>, x: u32) {
        v.extend_from_slice(&x.to_le_bytes());
    }
    fn le64(v: &mut Vec<u8>, x: u64) {
        v.extend_from_slice(&x.to_le_bytes());
    }
    fn name<const N: usize>(v: &mut Vec<u8>, s: &str) {
        let mut b = [0u8; N];
        b[..s.len()].copy_from_slice(s.as_bytes());
        v.extend_from_slice(&b);
    }

    /// A minimal PE32+ file with one section `.dep-v0` holding `data`.
    fn pe(data: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 64];
        f[0..2].copy_from_slice(b"MZ");
        f[0x3c..0x40].copy_from_slice(&64u32.to_le_bytes());
        f.extend_from_slice(b"PE\0\0");
        le16(&mut f, 0x8664); // machine
        le16(&mut f, 1); // sections
        le32(&mut f, 0);
        le32(&mut f, 0);
        le32(&mut f, 0);
        le16(&mut f, 112 + 16 * 8); // size of optional header
        le16(&mut f, 0x22);
        let optional = f.len();
        f.resize(optional + 112, 0);
        f[optional..optional + 2].copy_from_slice(&0x20bu16.to_le_bytes());
        f[optional + 108..optional + 112].copy_from_slice(&16u32.to_le_bytes());
        f.resize(f.len() + 16 * 8, 0);
        let raw = (f.len() + 40) as u32;
        name::<8>(&mut f, ".dep-v0");
        le32(&mut f, data.len() as u32); // virtual size
        le32(&mut f, 0x1000); // virtual address
        le32(&mut f, data.len() as u32); // size of raw data
        le32(&mut f, raw);
        f.resize(f.len() + 16, 0);
        f.extend_from_slice(data);
        f
    }

    /// A minimal 64-bit Mach-O file with one segment `__DATA` and section `.dep-v0`.
    fn macho(data: &[u8]) -> Vec<u8> {
        let mut f = Vec::new();
        le32(&mut f, 0xfeed_facf);
        le32(&mut f, 0x0100_0007); // x86-64
        le32(&mut f, 3);
        le32(&mut f, 2); // MH_EXECUTE
        le32(&mut f, 1); // one load command
        le32(&mut f, 72 + 80);
        le32(&mut f, 0);
        le32(&mut f, 0);
        let offset = (32 + 72 + 80) as u64;
        le32(&mut f, 0x19); // LC_SEGMENT_64
        le32(&mut f, 72 + 80);
        name::<16>(&mut f, "__DATA");
        le64(&mut f, 0x1000);
        le64(&mut f, data.len() as u64);
        le64(&mut f, offset);
        le64(&mut f, data.len() as u64);
        le32(&mut f, 3);
        le32(&mut f, 3);
        le32(&mut f, 1); // one section
        le32(&mut f, 0);
        name::<16>(&mut f, ".dep-v0");
        name::<16>(&mut f, "__DATA");
        le64(&mut f, 0x1000);
        le64(&mut f, data.len() as u64);
        le32(&mut f, offset as u32);
        f.resize(f.len() + 7 * 4, 0); // align, reloff, nreloc, flags, reserved1-3
        f.extend_from_slice(data);
        f
    }

    #[test]
    fn pe_and_macho_sections_are_found_and_capped() {
        let dir = tempfile::tempdir().unwrap();
        for (kind, bytes) in [("pe", pe(b"hello")), ("macho", macho(b"hello"))] {
            let path = dir.path().join(kind);
            std::fs::write(&path, bytes).unwrap();
            let binary = Binary::open(&path).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(
                binary.section(&[".dep-v0"], 16).unwrap().as_deref(),
                Some(&b"hello"[..]),
                "{kind}"
            );
            assert!(binary.section(&[".relevid"], 16).unwrap().is_none());
            let err = binary.section(&[".dep-v0"], 4).unwrap_err().to_string();
            assert!(
                err.contains("section .dep-v0 is 5 bytes, more than the 4 bytes"),
                "{err}"
            );
        }
        let text = dir.path().join("text");
        std::fs::write(&text, "not a binary").unwrap();
        let err = Binary::open(&text).err().unwrap().to_string();
        assert!(
            err.contains("is not an executable this tool reads"),
            "{err}"
        );
    }
}
