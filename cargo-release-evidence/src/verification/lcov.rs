//! LCOV tracefiles (geninfo(1) format) as cargo-llvm-cov, grcov and cargo-tarpaulin write them:
//! `SF:` starts a file, `DA:<line>,<hits>` and `BRDA:<line>,<block>,<branch>,<taken|->` give the
//! data, `end_of_record` ends it. Summary lines (`LF`, `LH`, `BRF`, `BRH`) are recomputed from
//! the data, other records are skipped.

use super::model::{Coverage, FileCoverage};

/// Parses an LCOV tracefile; file paths are as written (see `coverage::normalize`).
pub fn parse(text: &str) -> Result<Coverage, String> {
    let mut out = Coverage::default();
    let mut current: Option<(String, FileCoverage)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let bad = |what: &str| format!("line {}: malformed {what} record", i + 1);
        if let Some(path) = line.strip_prefix("SF:") {
            if let Some((p, f)) = current.take() {
                merge_into(&mut out, p, f);
            }
            current = Some((path.to_owned(), FileCoverage::default()));
        } else if let Some(rest) = line.strip_prefix("DA:") {
            let (_, file) = current.as_mut().ok_or_else(|| bad("DA (before SF)"))?;
            let mut parts = rest.split(',');
            let ln: u32 = num(parts.next()).ok_or_else(|| bad("DA"))?;
            let hits: u64 = parts
                .next()
                .and_then(|h| h.trim().parse::<i64>().ok())
                .ok_or_else(|| bad("DA"))?
                .max(0) as u64;
            let e = file.lines.entry(ln).or_insert(0);
            *e = e.saturating_add(hits);
        } else if let Some(rest) = line.strip_prefix("BRDA:") {
            let (_, file) = current.as_mut().ok_or_else(|| bad("BRDA (before SF)"))?;
            let parts: Vec<&str> = rest.split(',').collect();
            if parts.len() != 4 {
                return Err(bad("BRDA"));
            }
            let ln: u32 = num(Some(parts[0])).ok_or_else(|| bad("BRDA"))?;
            let taken = match parts[3].trim() {
                "-" => 0,
                t => t.parse::<u64>().map_err(|_| bad("BRDA"))?,
            };
            let e = file.branches.entry(ln).or_insert((0, 0));
            e.1 += 1;
            if taken > 0 {
                e.0 += 1;
            }
        } else if line == "end_of_record"
            && let Some((p, f)) = current.take()
        {
            merge_into(&mut out, p, f);
        }
    }
    if let Some((p, f)) = current.take() {
        merge_into(&mut out, p, f);
    }
    if out.files.is_empty() && !text.trim().is_empty() && !text.contains("SF:") {
        return Err("not an LCOV tracefile: no `SF:` record".into());
    }
    Ok(out)
}

fn num(s: Option<&str>) -> Option<u32> {
    s.and_then(|s| s.trim().parse().ok())
}

/// Adds one file's data to a report: line hits add up, branches keep the better count.
pub fn merge_into(out: &mut Coverage, path: String, f: FileCoverage) {
    let e = out.files.entry(path).or_default();
    for (l, h) in f.lines {
        let x = e.lines.entry(l).or_insert(0);
        *x = x.saturating_add(h);
    }
    for (l, (taken, total)) in f.branches {
        let x = e.branches.entry(l).or_insert((0, 0));
        *x = (x.0.max(taken), x.1.max(total));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_records() {
        let t = "TN:\nSF:/ws/a/src/lib.rs\nFN:3,f\nDA:3,1\nDA:4,0\nBRDA:4,0,0,1\nBRDA:4,0,1,-\nLF:2\nLH:1\nend_of_record\nSF:/ws/b.rs\nDA:1,5\nend_of_record\n";
        let c = super::parse(t).unwrap();
        let a = &c.files["/ws/a/src/lib.rs"];
        assert_eq!(a.lines.len(), 2);
        assert_eq!(a.lines[&3], 1);
        assert_eq!(a.branches[&4], (1, 2));
        assert_eq!(c.files["/ws/b.rs"].lines[&1], 5);
        assert!(super::parse("DA:1,1\n").is_err());
        assert!(super::parse("SF:x\nDA:x,1\n").is_err());
        assert!(super::parse("<coverage/>").is_err());
    }
}
