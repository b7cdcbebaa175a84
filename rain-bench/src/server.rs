//! The three servers under test, run as child processes, and what `/proc` says about them.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The Rain example (`intents_example::app()`).
    Rain,
    /// Plain socketioxide on axum.
    Plain,
    /// The official Node socket.io server.
    Node,
}

impl Kind {
    /// Every kind, in the order of the table.
    pub(crate) const ALL: [Kind; 3] = [Kind::Rain, Kind::Plain, Kind::Node];

    /// The column heading.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::Rain => "Rain",
            Kind::Plain => "socketioxide",
            Kind::Node => "Node socket.io",
        }
    }
}

/// Where the programs are.
pub(crate) struct Programs {
    /// The directory of this executable, which also holds the two Rust servers.
    pub(crate) bin_dir: PathBuf,
    /// `rain-bench/node`.
    pub(crate) node_dir: PathBuf,
    /// CPUs to pin servers to (`taskset -c`), when `taskset` exists.
    pub(crate) server_cpus: Option<String>,
}

/// A running server, killed when dropped.
pub(crate) struct Server {
    child: Child,
    /// Its port on 127.0.0.1.
    pub(crate) port: u16,
}

impl Programs {
    /// Starts `kind` on `port` and waits until it accepts connections.
    pub(crate) fn start(&self, kind: Kind, port: u16) -> Result<Server, String> {
        let addr = format!("127.0.0.1:{port}");
        let mut command = match &self.server_cpus {
            Some(cpus) => {
                let mut command = Command::new("taskset");
                command.args(["-c", cpus]);
                command
            }
            None => Command::new("env"),
        };
        match kind {
            Kind::Rain => command.arg(self.bin_dir.join("rain-bench-rain")),
            Kind::Plain => command.arg(self.bin_dir.join("rain-bench-plain")),
            Kind::Node => command.arg("node").arg(self.node_dir.join("server.mjs")),
        };
        command
            .env("RAIN_ADDR", &addr)
            .env("PORT", port.to_string())
            .env("RUST_LOG", "warn")
            // Every benchmark connection comes from 127.0.0.1: Rain's per-address limit (256 by
            // default) would refuse the idle-connection runs.
            .env("RAIN_MAX_CONNECTIONS_PER_CLIENT", "1000000")
            .env("RAIN_MAX_CONNECTIONS", "1000000")
            .env("NODE_ENV", "production")
            // Each connection sends as fast as its replies come: Rain's per-socket event rate
            // limit (a policy the other servers do not have) would refuse most of it.
            .env("RAIN_EVENT_RATE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", kind.label()))?;
        let mut server = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(&addr).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("{} exited at start: {status}", kind.label()));
            }
            if Instant::now() > deadline {
                return Err(format!("{} did not listen on {addr}", kind.label()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }
}

impl Server {
    /// Its process id (`taskset` execs the server, so this is the server's own).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// CPU time used so far, user plus system, from `/proc/<pid>/stat`.
    pub(crate) fn cpu_time(&self, clock_ticks: u64) -> Result<Duration, String> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()))
            .map_err(|e| format!("cannot read /proc stat: {e}"))?;
        // Fields after the command name, which is in parentheses and may hold spaces.
        let after = stat
            .rsplit_once(')')
            .ok_or("malformed /proc stat")?
            .1
            .split_whitespace()
            .collect::<Vec<_>>();
        // `utime` and `stime` are fields 14 and 15 of the line; `after` starts at field 3.
        let ticks: u64 = after[11].parse::<u64>().map_err(|e| e.to_string())?
            + after[12].parse::<u64>().map_err(|e| e.to_string())?;
        Ok(Duration::from_nanos(ticks * 1_000_000_000 / clock_ticks))
    }

    /// Resident memory, `VmRSS` of `/proc/<pid>/status`, in bytes.
    pub(crate) fn resident_bytes(&self) -> Result<u64, String> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .map_err(|e| format!("cannot read /proc status: {e}"))?;
        let line = status
            .lines()
            .find(|line| line.starts_with("VmRSS:"))
            .ok_or("no VmRSS")?;
        let kib: u64 = line
            .split_whitespace()
            .nth(1)
            .ok_or("malformed VmRSS")?
            .parse()
            .map_err(|e: std::num::ParseIntError| e.to_string())?;
        Ok(kib * 1024)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `getconf CLK_TCK`, the unit of `/proc/<pid>/stat` times (100 when it cannot be asked).
pub(crate) fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// Whether `program` is on the `PATH`.
pub(crate) fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| Path::new(&dir).join(program).is_file())
    })
}
