//! The user's own translation data: a folder holding `A/` (inputs) and
//! `B/` (outputs), paired by file name or unpaired.

use super::pairs::ImagePairs;
use crate::data::FolderOptions;
use crate::data::folder::{check_options, list_images, load_files};
use anyhow::{Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Loads `root/A` and `root/B`. Paired: every A image needs a B image with
/// the same path and name, whatever the extension (`A/shoes/1.png` ↔
/// `B/shoes/1.jpg`), and the pairs are taken in name order.
pub fn load(root: &Path, paired: bool, options: &FolderOptions) -> Result<ImagePairs> {
    check_options(options)?;
    let (a_dir, b_dir) = (root.join("A"), root.join("B"));
    for dir in [&a_dir, &b_dir] {
        if !dir.is_dir() {
            bail!(
                "{} is missing: a translation folder holds A/ (the inputs) and B/ (the outputs), \
                 e.g. {}/A/1.png and {}/B/1.png",
                dir.display(),
                root.display(),
                root.display()
            );
        }
    }
    let (a_files, b_files) = (list_images(&a_dir)?, list_images(&b_dir)?);
    if !paired {
        let a = load_files(&a_files, &a_dir, options)?;
        let b = load_files(&b_files, &b_dir, options)?;
        return ImagePairs::unpaired(a, b);
    }
    if options.skip_bad {
        bail!("--skip-bad-images would break the pairs of {}: remove or replace the bad images instead", root.display());
    }
    let (a_keyed, b_keyed) = (by_name(&a_files, &a_dir), by_name(&b_files, &b_dir));
    let lonely_a: Vec<&String> = a_keyed.keys().filter(|k| !b_keyed.contains_key(*k)).collect();
    let lonely_b: Vec<&String> = b_keyed.keys().filter(|k| !a_keyed.contains_key(*k)).collect();
    if !lonely_a.is_empty() || !lonely_b.is_empty() {
        let list = |side: &str, other: &str, names: &[&String]| {
            if names.is_empty() {
                return String::new();
            }
            let shown: Vec<&str> = names.iter().take(8).map(|n| n.as_str()).collect();
            let more = if names.len() > 8 { format!(", … and {} more", names.len() - 8) } else { String::new() };
            format!("\n  {} in {side}/ without a partner in {other}/: {}{more}", names.len(), shown.join(", "))
        };
        bail!(
            "{} is paired by file name, but some images have no partner:{}{}\nadd the partners, remove \
             those images, or pass --unpaired to train CycleGAN on unpaired sets",
            root.display(),
            list("A", "B", &lonely_a),
            list("B", "A", &lonely_b)
        );
    }
    let a_sorted: Vec<PathBuf> = a_keyed.values().cloned().collect();
    let b_sorted: Vec<PathBuf> = a_keyed.keys().map(|k| b_keyed[k].clone()).collect();
    ImagePairs::paired(load_files(&a_sorted, &a_dir, options)?, load_files(&b_sorted, &b_dir, options)?)
}

/// Files keyed by their path under `dir` without the extension.
fn by_name(files: &[PathBuf], dir: &Path) -> BTreeMap<String, PathBuf> {
    files
        .iter()
        .map(|f| {
            let relative = f.strip_prefix(dir).unwrap_or(f).with_extension("");
            (relative.to_string_lossy().into_owned(), f.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::load;
    use crate::data::FolderOptions;

    fn write(path: &std::path::Path, shade: u8) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        image::GrayImage::from_pixel(32, 32, image::Luma([shade])).save(path).unwrap();
    }

    #[test]
    fn pairs_follow_file_names_and_missing_partners_are_listed() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        write(&r.join("A/b.png"), 20);
        write(&r.join("A/a.png"), 10);
        write(&r.join("B/a.jpg"), 110);
        write(&r.join("B/b.png"), 120);
        let options = FolderOptions::default();
        let pairs = load(r, true, &options).unwrap();
        assert!(pairs.paired);
        // In name order, A's a with B's a.
        let (a0, b0) = (pairs.a.image(0)[0] as i32, pairs.b.image(0)[0] as i32);
        assert!((a0 - 10).abs() <= 2 && (b0 - 110).abs() <= 3, "{a0} {b0}");
        write(&r.join("A/c.png"), 30);
        write(&r.join("B/z.png"), 30);
        let err = load(r, true, &options).unwrap_err().to_string();
        assert!(err.contains("1 in A/ without a partner in B/: c") && err.contains("1 in B/ without a partner in A/: z"), "{err}");
        assert!(err.contains("--unpaired"), "{err}");
        // Unpaired, the counts may differ.
        let unpaired = load(r, false, &options).unwrap();
        assert_eq!((unpaired.a.len(), unpaired.b.len(), unpaired.paired), (3, 3, false));
        let missing = load(&r.join("A"), true, &options).unwrap_err().to_string();
        assert!(missing.contains("A/ (the inputs) and B/ (the outputs)"), "{missing}");
    }
}
