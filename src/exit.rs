//! The exit status of a command, one type for every command, so that no
//! command can drift from the promise scripts rely on.
//!
//! `cli` returns it from every command and turns it into the process's
//! exit code in one place; `serve` returns it too. It says nothing about
//! what was printed.

/// What a command's exit status tells a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// 0: everything read and, where asked, no pilot at `--fail-on`.
    Clean,
    /// 1: findings: dossier errors, or a pilot at or beyond `--fail-on`
    /// (the site, where one was built, is still whole).
    Findings,
    /// 2: a usage or configuration error, or a build that could not finish;
    /// nothing was judged or written as asked.
    Usage,
}

impl Exit {
    /// The number the process exits with.
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::Findings => 1,
            Exit::Usage => 2,
        }
    }

    /// `Findings` when `found`, else `Clean`.
    pub fn findings_if(found: bool) -> Exit {
        if found { Exit::Findings } else { Exit::Clean }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> std::process::ExitCode {
        std::process::ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn clean_findings_and_usage_exit_with_0_1_and_2() {
        let codes: Vec<u8> = [Exit::Clean, Exit::Findings, Exit::Usage]
            .map(Exit::code)
            .into();
        assert_eq!(codes, [0, 1, 2]);
        assert_eq!(Exit::findings_if(true), Exit::Findings);
        assert_eq!(Exit::findings_if(false), Exit::Clean);
    }
}
