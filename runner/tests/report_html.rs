//! `runner report --format html` opened in a real browser: Debian's Chromium, headless, in a fresh
//! profile, with no network use of its own. The page must load without a single console message
//! (it has no script, so any message is an error: a refused load, a parse error) and its screenshot
//! must show the page, figures included.
//!
//! Console messages are read from Chromium's own log (`--enable-logging=stderr --v=0`), where it
//! writes each as a `CONSOLE` line: no driver, no protocol client, nothing but the browser. That
//! log does not say a message's level (a page's messages all log as INFO), hence "no message at
//! all"; and it does not report a failed fetch, which is why the page's Content-Security-Policy
//! forbids every load: a reference to anything outside the page is refused, and the refusal is a
//! console message. The control test below proves this Chromium still logs both kinds, so that a
//! browser that stopped logging would fail here rather than pass unseen.
//!
//! Needs Chromium at /usr/bin/chromium (or `WASMATRIX_CHROMIUM`): `apt-get install chromium`;
//! `runner/wasmatrix.sh test` installs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long Chromium may take to load a page and take its screenshot.
const TIMEOUT: Duration = Duration::from_secs(120);
/// The screenshot's size: a window ~900 px of page wide, tall enough for the first figures.
const WINDOW: (u32, u32) = (1000, 3000);

fn chromium() -> PathBuf {
    let path = std::env::var_os("WASMATRIX_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.exists(),
        "{} not found: install Debian's chromium (apt-get install --no-install-recommends chromium; \
         runner/wasmatrix.sh test does) or point WASMATRIX_CHROMIUM at one",
        path.display()
    );
    path
}

/// What Chromium made of a page: its console messages, and the screenshot's PNG bytes.
struct Loaded {
    console: Vec<String>,
    png: Vec<u8>,
}

/// Opens `page` in headless Chromium with a fresh profile under `dir`, takes a screenshot of
/// [`WINDOW`] and returns the console messages it logged.
fn open(page: &Path, dir: &Path) -> Loaded {
    let (profile, shot, log) = (dir.join("profile"), dir.join("screenshot.png"), dir.join("chromium.log"));
    std::fs::create_dir_all(&profile).unwrap();
    let started = Instant::now();
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("--window-size={},{}", WINDOW.0, WINDOW.1))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        // A file, not a pipe: a helper process that outlives the browser cannot hold the test up.
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took more than {TIMEOUT:?} on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "chromium failed ({status}):\n{log}");
    eprintln!("chromium loaded {} in {:.1} s", page.display(), started.elapsed().as_secs_f64());
    // `[pid:tid:time:INFO:CONSOLE:12] "message", source: file:///... (12)` (older: `CONSOLE(12)`).
    let console =
        log.lines().filter(|l| l.contains(":CONSOLE:") || l.contains(":CONSOLE(")).map(str::to_owned).collect();
    Loaded { console, png: std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot ({e}):\n{log}")) }
}

/// A screenshot decoded: its size and RGB pixels.
fn pixels(png_bytes: &[u8]) -> ((u32, u32), Vec<[u8; 3]>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes)).read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let step = info.color_type.samples();
    assert!(step >= 3, "{:?}", info.color_type);
    let rgb = buf[..info.buffer_size()].chunks(step).map(|p| [p[0], p[1], p[2]]).collect();
    ((info.width, info.height), rgb)
}

#[test]
fn the_html_report_loads_in_chromium_without_a_console_message_and_shows_its_figures() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("quick-runtimes.html");
    let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("../results/quick-runtimes.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_runner"))
        .args(["report", "--format", "html", "--out"])
        .arg(&page)
        .arg(&results)
        .output()
        .unwrap();
    assert!(out.status.success() && out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let loaded = open(&page, dir.path());
    assert!(loaded.console.is_empty(), "console messages:\n{}", loaded.console.join("\n"));
    // Kept for a person to look at (target/tmp/), and checked: the window's size, not blank, and
    // the first two series' colours filling bars and dots (the figures were drawn, not just text).
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-html-quick-runtimes.png");
    std::fs::write(&kept, &loaded.png).unwrap();
    eprintln!("screenshot: {} ({} bytes)", kept.display(), loaded.png.len());
    assert!(loaded.png.len() > 20_000, "{} bytes", loaded.png.len());
    let (size, rgb) = pixels(&loaded.png);
    assert_eq!(size, WINDOW);
    let inked = rgb.iter().filter(|p| **p != [255, 255, 255]).count();
    let share = inked as f64 / rgb.len() as f64;
    assert!((0.02..0.6).contains(&share), "{:.1}% of the page is not white", share * 100.0);
    let mut colours: Vec<[u8; 3]> = rgb.clone();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 50, "{} colours", colours.len());
    for (name, colour) in [("blue", [31, 119, 180]), ("orange", [255, 127, 14])] {
        let n = rgb.iter().filter(|p| **p == colour).count();
        assert!(n > 2_000, "{n} pixels of the first figures' {name}");
    }
}

#[test]
fn the_check_sees_a_console_error_and_a_refused_load() {
    // The control: a page that logs an error and refers to an image elsewhere, under the policy
    // the report's page has (plus its inline script). Nothing is fetched: the policy refuses it.
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("control.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"/>\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; \
         script-src 'unsafe-inline'\"/><title>control</title></head><body><h1>control</h1>\
         <script>console.error('wasmatrix control error')</script>\
         <img src=\"https://example.invalid/elsewhere.png\" alt=\"\"/></body></html>",
    )
    .unwrap();
    let loaded = open(&page, dir.path());
    let said = loaded.console.join("\n");
    assert!(said.contains("wasmatrix control error"), "console.error not seen:\n{said}");
    assert!(said.contains("example.invalid/elsewhere.png"), "the refused load not seen:\n{said}");
}
