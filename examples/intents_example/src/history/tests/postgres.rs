//! A Postgres server of the test's own: `initdb` into a temporary folder, then `postgres` on a free
//! port of 127.0.0.1 (its socket in the folder too), stopped and started again on the same data
//! and port, removed when dropped. As root (CI), both run as the `postgres` system user, since
//! Postgres refuses to run as root. The same as `tests/js/support/postgres.mjs`.

use std::{
    io::{BufRead, BufReader},
    os::unix::fs::MetadataExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use super::TempFolder;

/// A running (or stopped) Postgres server; `postgres` is its superuser, trusted without a password.
pub(super) struct Postgres {
    bin: PathBuf,
    folder: TempFolder,
    /// Run as the `postgres` user: the tests run as root.
    as_postgres: bool,
    port: u16,
    child: Option<Child>,
}

impl Postgres {
    /// Creates a database cluster in a temporary folder and starts it on a free port.
    pub(super) fn start() -> Self {
        let bin = bindir();
        let folder = TempFolder::new("postgres");
        let as_postgres = std::fs::metadata(folder.path()).unwrap().uid() == 0;
        if as_postgres {
            run(Command::new("chown").arg("postgres:").arg(folder.path()));
        }
        let mut postgres = Self {
            bin,
            folder,
            as_postgres,
            port: free_port(),
            child: None,
        };
        let data = postgres.data();
        run(postgres
            .command("initdb")
            .args([
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--no-sync",
            ])
            .arg("-D")
            .arg(&data));
        postgres.start_again();
        postgres
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub(super) fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server (a fast shutdown: its clients are disconnected) and waits until it has.
    pub(super) fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let data = self.data();
        run(self
            .command("pg_ctl")
            .args(["stop", "--mode=fast", "--wait", "-D"])
            .arg(&data));
        child.wait().unwrap();
    }

    /// Starts the server on its data and port, and returns once it accepts connections.
    pub(super) fn start_again(&mut self) {
        assert!(self.child.is_none(), "postgres is running already");
        let data = self.data();
        let mut child = self
            .command("postgres")
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(self.folder.path())
            .args(["-p", &self.port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1", "-F"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot start {}/postgres: {error}", self.bin.display())
            });
        // Its log is read to the end (so that it never blocks on a full pipe); the line saying it
        // is ready is the signal.
        let (ready, readiness) = mpsc::channel();
        let log = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut seen = String::new();
            for line in BufReader::new(log).lines().map_while(Result::ok) {
                seen.push_str(&line);
                seen.push('\n');
                if line.contains("database system is ready to accept connections") {
                    let _ = ready.send(Ok(()));
                }
            }
            let _ = ready.send(Err(seen));
        });
        match readiness.recv_timeout(Duration::from_secs(30)) {
            Ok(Ok(())) => self.child = Some(child),
            Ok(Err(log)) => panic!("postgres exited before it was ready:\n{log}"),
            Err(_) => {
                let _ = child.kill();
                panic!("postgres was not ready within 30 s")
            }
        }
    }

    fn data(&self) -> PathBuf {
        self.folder.path().join("data")
    }

    /// `program` of Postgres's binaries, as the `postgres` user when the tests run as root.
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("setpriv");
            command
                .args([
                    "--reuid=postgres",
                    "--regid=postgres",
                    "--clear-groups",
                    "--",
                ])
                .arg(program);
            command
        } else {
            Command::new(program)
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let data = self.data();
            let _ = self
                .command("pg_ctl")
                .args(["stop", "--mode=immediate", "--wait", "-D"])
                .arg(&data)
                .output();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The folder of Postgres's server binaries: `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian's layout). Fails, saying how to install them,
/// when there is none: CI installs them, so a missing server is an error, not a skipped test.
fn bindir() -> PathBuf {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    let configured = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    if let Some(dir) = configured.filter(|dir| has_server(dir)) {
        return dir;
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_server(dir))
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, dir)) => dir,
        None => panic!(
            "these tests need PostgreSQL's server (initdb, postgres), found neither through \
             `pg_config --bindir` nor in /usr/lib/postgresql/*/bin: `apt-get install -y \
             postgresql` (tests/run.sh installs it)"
        ),
    }
}

/// Runs `command` to completion; fails with its output if it fails.
fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
