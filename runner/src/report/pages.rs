//! Where a results page lives and what it is made of. `runner page RUN.csv` makes `<dir>/<run>.md`
//! (dir: docs/results), `<run>` being the results file's stem: the run as its rows tell it, the
//! hand-written reading `<dir>/<run>.reading.md` if there is one, every `.svg` and `.png` in
//! `<dir>/<run>/` (the notebook's figures of the run), by name, then the Markdown report's tables
//! ([`crate::report::render`]'s `page`).

use crate::report::render::{self, Parts};
use crate::report::{load, Report};
use anyhow::{bail, Context, Result};
use std::path::{Component, Path, PathBuf};

/// The ending of a page's hand-written reading, beside the page.
pub const READING: &str = ".reading.md";

/// The image files a page embeds, by their endings.
const IMAGES: [&str; 2] = ["svg", "png"];

/// A results page: where it goes, and its text.
pub struct Page {
    pub path: PathBuf,
    pub text: String,
}

/// The page of the results file `results` in the directory `dir` (which must exist), read from
/// the files there as they are now.
pub fn make(results: &Path, dir: &Path) -> Result<Page> {
    let name = results
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .with_context(|| format!("{} names no file", results.display()))?;
    let rows = load(results)?;
    let reading_path = dir.join(format!("{name}{READING}"));
    let reading = match std::fs::read_to_string(&reading_path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", reading_path.display())),
    };
    let figures = figures(&dir.join(&name))?.into_iter().map(|f| format!("{name}/{f}")).collect::<Vec<_>>();
    let link = relative(dir, results)?;
    let file = results.file_name().map_or(name.clone(), |f| f.to_string_lossy().into_owned());
    let report = Report::new(&rows).named(file);
    let text =
        render::page(&report, &Parts { name: &name, results: &link, reading: reading.as_deref(), figures: &figures });
    Ok(Page { path: dir.join(format!("{name}.md")), text })
}

/// The image files in `dir`, sorted by name; none if there is no such directory.
fn figures(dir: &Path) -> Result<Vec<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    let mut found = Vec::new();
    for entry in entries {
        let name = entry.with_context(|| format!("cannot read {}", dir.display()))?.file_name();
        let name = name.to_string_lossy().into_owned();
        if name.rsplit_once('.').is_some_and(|(_, ext)| IMAGES.contains(&ext)) {
            found.push(name);
        }
    }
    found.sort();
    Ok(found)
}

/// `file` as a link from a page in `dir`: the path between them, with `/`.
fn relative(dir: &Path, file: &Path) -> Result<String> {
    let real = |p: &Path| p.canonicalize().with_context(|| format!("cannot find {}", p.display()));
    let (dir, file) = (real(dir)?, real(file)?);
    let (from, to): (Vec<Component>, Vec<Component>) = (dir.components().collect(), file.components().collect());
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        bail!("{} and {} share no directory", dir.display(), file.display());
    }
    let up = std::iter::repeat_n("..".to_owned(), from.len() - common);
    let down = to[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned());
    Ok(up.chain(down).collect::<Vec<_>>().join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_goes_up_then_down() {
        let root = tempfile::tempdir().unwrap();
        let (dir, file) = (root.path().join("docs/results"), root.path().join("results/r.csv"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "").unwrap();
        assert_eq!(relative(&dir, &file).unwrap(), "../../results/r.csv");
        assert_eq!(relative(&root.path().join("results"), &file).unwrap(), "r.csv");
    }

    #[test]
    fn a_page_embeds_its_figures_by_name_after_its_reading() {
        let dir = tempfile::tempdir().unwrap();
        let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("../results/repeat-quick-A.csv");
        let page = make(&results, dir.path()).unwrap();
        assert!(!page.text.contains("## Figures"), "no figures, no section");
        assert!(page.text.contains("- cells: 50: 50 ok"), "{}", page.text);
        std::fs::create_dir(dir.path().join("repeat-quick-A")).unwrap();
        for f in ["b.svg", "a_chart.png", "notes.txt"] {
            std::fs::write(dir.path().join("repeat-quick-A").join(f), "").unwrap();
        }
        std::fs::write(dir.path().join("repeat-quick-A.reading.md"), "Read *this*.\n\n").unwrap();
        let page = make(&results, dir.path()).unwrap();
        assert_eq!(page.path, dir.path().join("repeat-quick-A.md"));
        let told = "Read *this*.\n\n## Figures\n\n![a chart](repeat-quick-A/a_chart.png)\n\n\
                    ![b](repeat-quick-A/b.svg)\n\n## Tables\n";
        assert!(page.text.contains(told), "{}", page.text);
        assert!(page.text.ends_with("|\n") || page.text.ends_with(".\n"), "one newline at the end");
    }

    #[test]
    fn only_images_are_figures_sorted_by_name() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["b.svg", "a.png", "notes.txt", "c.svg.txt"] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        assert_eq!(figures(dir.path()).unwrap(), ["a.png", "b.svg"]);
        assert!(figures(&dir.path().join("none")).unwrap().is_empty());
    }
}
