//! `publish -- ARGS`: the gate, then `cargo publish ARGS` only on PASS.

use super::check::render_gate;
use super::{gate_options, print};
use crate::cli::GlobalArgs;
use crate::error::{EXIT_HOLD, EXIT_PASS, Error, Result};
use crate::findings::Decision;
use crate::gate;
use crate::util::process;

pub fn run(g: &GlobalArgs, args: &[String]) -> Result<u8> {
    let run = gate::run(&gate_options(g)?)?;
    if run.sets.len() != 1 {
        return Err(Error::usage(
            "--package",
            format!(
                "publish needs exactly one release member, got {}; pass -p NAME",
                run.sets.len()
            ),
        ));
    }
    print(&render_gate(g, &run))?;
    if run.report.decision == Decision::Hold {
        eprintln!(
            "not publishing {}: the release gate decided HOLD",
            run.sets[0].name
        );
        return Ok(EXIT_HOLD);
    }
    let member = &run.sets[0];
    let mut cargo_args = vec![
        "publish".to_owned(),
        "--manifest-path".to_owned(),
        member.manifest_path.display().to_string(),
    ];
    for (flag, on) in [
        ("--locked", g.locked),
        ("--offline", g.offline),
        ("--frozen", g.frozen),
    ] {
        if on {
            cargo_args.push(flag.to_owned());
        }
    }
    cargo_args.extend(args.iter().cloned());
    let status = duct::cmd(process::cargo(), &cargo_args)
        .unchecked()
        .run()
        .map_err(|e| Error::Command {
            command: format!("cargo {}", cargo_args.join(" ")),
            message: e.to_string(),
        })?;
    if status.status.success() {
        Ok(EXIT_PASS)
    } else {
        Err(Error::Command {
            command: format!("cargo {}", cargo_args.join(" ")),
            message: format!("exit status {}", status.status.code().unwrap_or(-1)),
        })
    }
}
