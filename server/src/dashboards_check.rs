//! `octoscope dashboards check DIR|FILE...`: the compatibility report of Grafana dashboard files,
//! one line per thing not rendered (`file: json.path: what`), and a non-zero exit status when
//! there is any, so CI can gate on it.

use std::path::PathBuf;

/// Runs the subcommand with its arguments (after `dashboards check`); returns the exit code.
pub fn run(args: &[String]) -> Result<u8, String> {
    if args.is_empty() || args.iter().any(|a| a.starts_with('-')) {
        return Err("usage: octoscope dashboards check DIR|FILE...".into());
    }
    let dirs: Vec<PathBuf> = args.iter().map(PathBuf::from).collect();
    if let Some(missing) = dirs.iter().find(|d| !d.exists()) {
        return Err(format!("{} does not exist", missing.display()));
    }
    let report = app::backend::dashboards::compatibility(&dirs);
    if report.is_empty() {
        return Err(format!(
            "no *.json dashboard files under {}",
            args.join(" ")
        ));
    }
    let mut findings = 0;
    for (file, found) in &report {
        for f in found {
            println!("{file}: {}: {}", f.path, f.what);
        }
        findings += found.len();
    }
    let clean = report.iter().filter(|(_, f)| f.is_empty()).count();
    eprintln!(
        "{} dashboards: {clean} render whole, {} with {findings} things not rendered",
        report.len(),
        report.len() - clean
    );
    Ok(u8::from(findings > 0))
}

#[cfg(test)]
mod tests {
    #[test]
    fn findings_make_the_exit_status_non_zero_and_clean_files_zero() {
        let dir = tempfile::tempdir().unwrap();
        let clean = dir.path().join("clean");
        std::fs::create_dir(&clean).unwrap();
        std::fs::write(
            clean.join("a.json"),
            r#"{"panels":[{"type":"stat","targets":[{"expr":"up"}]}]}"#,
        )
        .unwrap();
        let arg = |p: &std::path::Path| vec![p.display().to_string()];
        assert_eq!(super::run(&arg(&clean)), Ok(0));
        std::fs::write(
            dir.path().join("b.json"),
            r#"{"panels":[{"type":"candlestick"}]}"#,
        )
        .unwrap();
        assert_eq!(super::run(&arg(dir.path())), Ok(1));
        assert!(super::run(&arg(&dir.path().join("none"))).is_err());
        assert!(super::run(&[]).is_err());
    }
}
