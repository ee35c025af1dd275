//! `init`: a starting policy from the shipped sets.

use super::{date, gate_options};
use crate::adopt::{import, init};
use crate::advisories::obtain;
use crate::cli::GlobalArgs;
use crate::error::{EXIT_PASS, Result};
use crate::gate;

pub fn run(g: &GlobalArgs, from: &[String]) -> Result<u8> {
    let today = date(g)?;
    let timer = gate::Timer::new();
    let mut imported = import::read(from)?;
    if !imported.ignores.is_empty() {
        let db = obtain::location(g.advisory_db.as_deref(), None)?;
        let db = db.join("crates").is_dir().then_some(db);
        imported.resolve(db.as_deref(), today);
    }
    let opts = gate_options(g)?;
    let (ws, _) = gate::load_workspace(&opts)?;
    timer.mark("workspace loaded");
    let members = ws.select_members(&opts.packages, opts.workspace, &[])?;
    ws.check_features(&members, &opts.selection)?;
    let sets: Vec<_> = members
        .iter()
        .map(|m| ws.member_set(m, &opts.selection))
        .collect::<Result<_>>()?;
    let packages = ws.shipped_packages(&sets);
    timer.mark("shipped sets computed");
    let names: Vec<String> = sets.iter().map(|s| s.name.clone()).collect();
    let text = init::policy_text(&names, &packages, today, &imported)?;
    timer.mark("policy text written");
    let path = init::write(&ws.root, &text)?;
    timer.mark("policy file written");
    if !g.quiet {
        for n in &imported.notes {
            println!("{}: {}", n.at, n.message);
        }
        let third = packages.iter().filter(|p| p.is_third_party()).count();
        println!(
            "wrote {} with {third} crates pending review; review each, then run `cargo release-evidence check`",
            path.display()
        );
    }
    Ok(EXIT_PASS)
}
