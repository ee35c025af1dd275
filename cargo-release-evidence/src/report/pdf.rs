//! Printing the page to PDF with a locally installed Chromium (`--headless --print-to-pdf`),
//! isolated: a fresh profile in a temporary directory, no background networking, no sync, no
//! component updates; the page itself forbids every request (its content security policy).

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A Chromium or Chrome binary to use instead of searching `PATH`.
pub const CHROMIUM_ENV: &str = "RELEASE_EVIDENCE_CHROMIUM";
const NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
];
const TIMEOUT: Duration = Duration::from_secs(120);

/// The browser: `RELEASE_EVIDENCE_CHROMIUM`, else the first of `NAMES` on `PATH`.
pub fn find() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(CHROMIUM_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    NAMES.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// `file://` URL of an absolute path (bytes outside the unreserved set percent-encoded).
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Prints `html` to `pdf` (written next to it under a temporary name, then renamed into place).
pub fn print(html: &str, pdf: &Path) -> Result<()> {
    let chrome = find().ok_or_else(|| {
        Error::Environment(format!(
            "--pdf needs Chromium (or Chrome), and none was found on PATH (looked for {}): install it (Debian/Ubuntu: apt-get install chromium) or set {CHROMIUM_ENV} to the browser binary",
            NAMES.join(", ")
        ))
    })?;
    let work = tempfile::Builder::new()
        .prefix("release-evidence-print-")
        .tempdir()
        .map_err(|e| Error::io("creating a temporary directory for Chromium", e))?;
    let page = work.path().join("page.html");
    std::fs::write(&page, html).map_err(|e| Error::io(format!("writing {}", page.display()), e))?;
    let log = work.path().join("chromium.log");
    let log_file = std::fs::File::create(&log)
        .map_err(|e| Error::io(format!("creating {}", log.display()), e))?;
    let dir = pdf.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .suffix(".pdf")
        .tempfile_in(dir)
        .map_err(|e| Error::io(format!("creating a temporary file in {}", dir.display()), e))?;
    let mut child = Command::new(&chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", tmp.path().display()))
        .arg(file_url(&page))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .map_err(|e| Error::io(format!("starting {}", chrome.display()), e))?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::Command {
                    command: format!("{} --print-to-pdf", chrome.display()),
                    message: format!("no PDF after {} s; stopped it", TIMEOUT.as_secs()),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(Error::io(format!("waiting for {}", chrome.display()), e)),
        }
    };
    let printed = std::fs::read(tmp.path()).unwrap_or_default();
    if !status.success() || !printed.starts_with(b"%PDF-") {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = text
            .lines()
            .filter(|l| !l.contains("dbus") && !l.trim().is_empty())
            .collect();
        return Err(Error::Command {
            command: format!("{} --print-to-pdf", chrome.display()),
            message: format!(
                "{status}, no PDF written: {}",
                crate::util::text::clip(&tail[tail.len().saturating_sub(3)..].join(" | "), 400)
            ),
        });
    }
    tmp.persist(pdf)
        .map_err(|e| Error::io(format!("renaming into {}", pdf.display()), e.error))?;
    Ok(())
}

/// Whether `bytes` is a PDF this tool printed (Chromium copies the page's title into it).
pub fn is_ours(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    bytes.starts_with(b"%PDF-")
        && has(b"/Title (Release record ")
        && has(b" - cargo-release-evidence)")
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_urls_are_percent_encoded() {
        assert_eq!(
            super::file_url(std::path::Path::new("/tmp/a b/#x.html")),
            "file:///tmp/a%20b/%23x.html"
        );
    }
}
