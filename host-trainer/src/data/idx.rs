//! The IDX format of MNIST and Fashion-MNIST, gzip-compressed.

use super::image_set::{ImageSet, context_path};
use anyhow::{Result, bail};
use flate2::read::GzDecoder;
use std::io::Read;
use std::path::Path;

fn read_gz(path: &Path) -> Result<Vec<u8>> {
    let file = context_path(std::fs::File::open(path), path, "open")?;
    let mut bytes = Vec::new();
    context_path(GzDecoder::new(file).read_to_end(&mut bytes), path, "decompress")?;
    Ok(bytes)
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Parses an IDX file of unsigned bytes: returns its dimensions and data.
pub fn parse(bytes: &[u8], path: &Path) -> Result<(Vec<usize>, Vec<u8>)> {
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 {
        bail!("{} is not an IDX file of unsigned bytes", path.display());
    }
    let rank = bytes[3] as usize;
    let header = 4 + 4 * rank;
    if bytes.len() < header {
        bail!("{} is truncated inside its header", path.display());
    }
    let dims: Vec<usize> = (0..rank).map(|i| be_u32(bytes, 4 + 4 * i) as usize).collect();
    let n: usize = dims.iter().product();
    if bytes.len() != header + n {
        bail!(
            "{} should hold {n} values after its header but holds {}",
            path.display(),
            bytes.len().saturating_sub(header)
        );
    }
    Ok((dims, bytes[header..].to_vec()))
}

/// Writes an IDX file of unsigned bytes (uncompressed bytes; the caller gzips).
pub fn encode(dims: &[usize], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, dims.len() as u8];
    for &d in dims {
        out.extend_from_slice(&(d as u32).to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

/// Loads an images file (`N × H × W`) and its labels file (`N`).
pub fn load_pair(description: &str, images: &Path, labels: &Path) -> Result<ImageSet> {
    let (dims, pixels) = parse(&read_gz(images)?, images)?;
    if dims.len() != 3 {
        bail!("{} has {} dimensions, expected 3 (N × H × W)", images.display(), dims.len());
    }
    let (ldims, labels_data) = parse(&read_gz(labels)?, labels)?;
    if ldims != [dims[0]] {
        bail!("{} has {:?} labels for {} images", labels.display(), ldims, dims[0]);
    }
    Ok(ImageSet {
        description: description.to_string(),
        height: dims[1],
        width: dims[2],
        channels: 1,
        pixels,
        labels: Some(labels_data),
    })
}
