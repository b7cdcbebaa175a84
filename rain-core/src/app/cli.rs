//! The command line of a Rain app: serve, or write or check the client bindings.

use std::path::Path as StdPath;

use super::{
    bindings::{self, Bindings},
    builder::App,
    error::Error,
};

impl App {
    /// The client bindings of this app's components and sockets (see [`crate::bindings`]).
    pub fn bindings(&self) -> Result<Bindings, Error> {
        bindings::generate(&self.registry)
    }

    /// Writes `bindings.js` and `bindings.d.ts` into `folder`, creating it if needed.
    pub fn write_bindings(&self, folder: impl AsRef<StdPath>) -> Result<(), Error> {
        let folder = folder.as_ref();
        let bindings = self.bindings()?;
        let io = |source| Error::Io {
            context: format!("cannot write the bindings to `{}`", folder.display()),
            source,
        };
        std::fs::create_dir_all(folder).map_err(io)?;
        std::fs::write(folder.join("bindings.js"), bindings.js).map_err(io)?;
        std::fs::write(folder.join("bindings.d.ts"), bindings.dts).map_err(io)
    }

    /// Checks that the bindings in `folder` are the ones [`App::write_bindings`] would write.
    ///
    /// Fails with [`Error::StaleBindings`], which carries a unified diff, when they differ or
    /// are missing.
    pub fn check_bindings(&self, folder: impl AsRef<StdPath>) -> Result<(), Error> {
        let folder = folder.as_ref();
        let bindings = self.bindings()?;
        let mut diff = String::new();
        for (file, expected) in [
            ("bindings.js", &bindings.js),
            ("bindings.d.ts", &bindings.dts),
        ] {
            let path = folder.join(file);
            let found = std::fs::read_to_string(&path).unwrap_or_default();
            if &found != expected {
                let name = path.display().to_string();
                diff.push_str(
                    &similar::TextDiff::from_lines(&found, expected)
                        .unified_diff()
                        .context_radius(2)
                        .header(&name, &format!("{name} (generated)"))
                        .to_string(),
                );
            }
        }
        if diff.is_empty() {
            Ok(())
        } else {
            Err(Error::StaleBindings {
                folder: folder.display().to_string(),
                diff,
            })
        }
    }

    /// What a Rain app's `main` does: with no arguments, [`App::serve_from_env`]; with
    /// `bindings write <folder>` or `bindings check <folder>`, [`App::write_bindings`] or
    /// [`App::check_bindings`] and exit.
    ///
    /// ```no_run
    /// #[tokio::main]
    /// async fn main() -> Result<(), rain_core::Error> {
    ///     rain_core::App::discover()?.run_from_env().await
    /// }
    /// ```
    pub async fn run_from_env(self) -> Result<(), Error> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match args.as_slice() {
            [] => self.serve_from_env().await,
            ["bindings", "write", folder] => {
                self.write_bindings(folder)?;
                println!("wrote {folder}/bindings.js and {folder}/bindings.d.ts");
                Ok(())
            }
            ["bindings", "check", folder] => {
                self.check_bindings(folder)?;
                println!("{folder}: the bindings are up to date");
                Ok(())
            }
            _ => Err(Error::Usage(format!(
                "unknown arguments `{}`; expected none (serve on RAIN_ADDR), \
                 `bindings write <folder>` or `bindings check <folder>`",
                args.join(" ")
            ))),
        }
    }
}
