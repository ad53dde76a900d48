//! Rewrites one text entry of a zip package, copying the others unchanged.

use std::io::{Cursor, Read, Write};

pub fn replace_in_entry(package: &[u8], entry: &str, find: &str, replace: &str) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(package)).ok()?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).ok()?;
        let name = file.name().ok()?.to_string();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).ok()?;
        if name == entry {
            let text = String::from_utf8(bytes).ok()?;
            bytes = text.replacen(find, replace, 1).into_bytes();
        }
        out.start_file(name, options).ok()?;
        out.write_all(&bytes).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}
