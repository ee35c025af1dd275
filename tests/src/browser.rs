//! A real Chromium driven over the DevTools protocol (`--remote-debugging-pipe`: JSON messages
//! separated by NUL on fds 3 and 4, which `sh` maps onto the child's stdin and stdout), with
//! the network disabled. Enough of the protocol to load a page from a `file://` URL and record
//! every console message, log entry, exception and request, read the DOM, take screenshots.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);

/// The Chromium binary: `RELEASE_EVIDENCE_CHROMIUM`, else `chromium`/`google-chrome` on PATH.
pub fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RELEASE_EVIDENCE_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

/// The flags every test run uses (as root on these machines: no sandbox, fresh profile).
pub const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    // No name resolves and no proxy answers: nothing can leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
];

pub struct Browser {
    child: Child,
    input: ChildStdin,
    rx: Receiver<Value>,
    next: u64,
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

/// What a loaded page did.
#[derive(Debug, Default)]
pub struct Load {
    /// Console API calls, uncaught exceptions and log entries of level warning or error.
    pub console: Vec<String>,
    /// Every URL the page requested (the page itself included).
    pub requests: Vec<String>,
}

impl Browser {
    pub fn launch() -> Browser {
        let exe = chromium().expect("chromium is installed (.ci/run installs it)");
        let profile = tempfile::Builder::new()
            .prefix("re-chromium-")
            .tempdir()
            .unwrap();
        let log = std::fs::File::create(profile.path().join("stderr.log")).unwrap();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null"#)
            .arg(&exe)
            .args(FLAGS)
            .arg(format!(
                "--user-data-dir={}",
                profile.path().join("p").display()
            ))
            .arg("--remote-debugging-pipe")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start chromium");
        let input = child.stdin.take().unwrap();
        let output = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(output);
            loop {
                let mut buf = Vec::new();
                match r.read_until(0, &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        buf.pop();
                        if let Ok(v) = serde_json::from_slice::<Value>(&buf)
                            && tx.send(v).is_err()
                        {
                            break;
                        }
                    }
                }
            }
        });
        Browser {
            child,
            input,
            rx,
            next: 0,
            events: Vec::new(),
            _profile: profile,
        }
    }

    fn recv(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        self.rx
            .recv_timeout(left)
            .unwrap_or_else(|e| panic!("no answer from chromium: {e}"))
    }

    /// Sends a command (to a page's session when given) and returns its result.
    pub fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.input.write_all(&bytes).unwrap();
        self.input.flush().unwrap();
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self.recv(deadline);
            if v["id"] == id {
                assert!(v["error"].is_null(), "{method} failed: {}", v["error"]);
                return v["result"].clone();
            }
            self.events.push(v);
        }
    }

    /// Waits for an event of a session.
    fn event(&mut self, session: &str, method: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(i) = self
                .events
                .iter()
                .position(|e| e["method"] == method && e["sessionId"] == session)
            {
                return self.events.remove(i);
            }
            let v = self.recv(deadline);
            self.events.push(v);
        }
    }

    /// Opens `file` in a new tab with the network off, at desktop size; returns the session.
    pub fn open(&mut self, file: &Path, width: u32, height: u32) -> String {
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}));
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        let s = attached["sessionId"].as_str().unwrap().to_owned();
        for domain in [
            "Runtime.enable",
            "Log.enable",
            "Network.enable",
            "Page.enable",
        ] {
            self.call(Some(&s), domain, json!({}));
        }
        self.call(
            Some(&s),
            "Network.emulateNetworkConditions",
            json!({"offline": true, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
        );
        self.call(
            Some(&s),
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        );
        self.call(Some(&s), "Page.navigate", json!({"url": file_url(file)}));
        self.event(&s, "Page.loadEventFired");
        // Let late work (fonts, the filter script) finish.
        self.eval(&s, "new Promise(r => setTimeout(() => r(true), 200))");
        s
    }

    /// What the session's page logged and requested so far.
    pub fn load(&mut self, session: &str) -> Load {
        // Pending events arrive before the answer to this call.
        self.eval(session, "true");
        let mut load = Load::default();
        for e in self.events.iter().filter(|e| e["sessionId"] == session) {
            let p = &e["params"];
            match e["method"].as_str().unwrap_or_default() {
                "Runtime.consoleAPICalled" => load.console.push(format!(
                    "console.{}: {}",
                    p["type"].as_str().unwrap_or_default(),
                    p["args"]
                )),
                "Runtime.exceptionThrown" => load
                    .console
                    .push(format!("exception: {}", p["exceptionDetails"])),
                "Log.entryAdded"
                    if matches!(p["entry"]["level"].as_str(), Some("error" | "warning")) =>
                {
                    load.console.push(format!(
                        "log {}: {}",
                        p["entry"]["level"], p["entry"]["text"]
                    ))
                }
                "Network.requestWillBeSent" => load
                    .requests
                    .push(p["request"]["url"].as_str().unwrap_or_default().to_owned()),
                _ => {}
            }
        }
        load
    }

    /// Evaluates `expr` in the page (promises awaited) and returns its value.
    pub fn eval(&mut self, session: &str, expr: &str) -> Value {
        let r = self.call(
            Some(session),
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(
            r["exceptionDetails"].is_null(),
            "{expr}: {}",
            r["exceptionDetails"]
        );
        r["result"]["value"].clone()
    }

    /// A PNG of the page at its width, `height` CSS pixels from the top (`None`: all of it).
    pub fn screenshot(&mut self, session: &str, height: Option<u32>, path: &Path) {
        let full = self
            .eval(session, "document.documentElement.scrollHeight")
            .as_u64()
            .unwrap_or(900);
        let width = self
            .eval(session, "document.documentElement.clientWidth")
            .as_u64()
            .unwrap_or(1280);
        let h = height.map_or(full, |h| u64::from(h).min(full));
        let r = self.call(
            Some(session),
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true,
                   "clip": {"x": 0, "y": 0, "width": width, "height": h, "scale": 1}}),
        );
        std::fs::write(path, base64_decode(r["data"].as_str().unwrap())).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn file_url(path: &Path) -> String {
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

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => 0,
        }
    };
    let bytes: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for chunk in bytes.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &c)| n | (val(c) << (18 - 6 * i)));
        let pad = chunk.iter().filter(|&&c| c == b'=').count();
        let take = 3 - pad.min(2);
        out.extend_from_slice(&n.to_be_bytes()[1..1 + take]);
    }
    out
}

/// Where a test keeps what it made for people to look at: `target/test-artifacts/<name>/`.
pub fn artifacts_dir(name: &str) -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::repo_root().join("target"));
    let d = base.join("test-artifacts").join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `pdftoppm -png -r DPI` of a PDF into `prefix-N.png`; returns the pages written.
pub fn pdf_pages(pdf: &Path, prefix: &Path, dpi: u32) -> Vec<PathBuf> {
    let dir = prefix.parent().unwrap();
    let stem = prefix.file_name().unwrap().to_string_lossy().into_owned();
    let page_of_this = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(&format!("{stem}-")) && n.ends_with(".png"))
    };
    // Pages of an earlier run (the directory is kept under the target dir) are not this PDF's.
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if page_of_this(&p) {
            std::fs::remove_file(&p).unwrap();
        }
    }
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", &dpi.to_string()])
        .arg(pdf)
        .arg(prefix)
        .output()
        .expect("pdftoppm (poppler-utils) runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| page_of_this(p))
        .collect();
    pages.sort();
    pages
}

/// `pdfinfo` as key → value.
pub fn pdf_info(pdf: &Path) -> std::collections::BTreeMap<String, String> {
    let out = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}
