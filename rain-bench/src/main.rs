//! Benchmarks the Rain example server against plain socketioxide and the official Node socket.io
//! server, all three doing the same work, and prints a markdown table of medians and ratios.
//!
//! Run it with `bash rain-bench/run.sh` (which builds the servers and installs the Node packages
//! first); `--smoke` runs every measurement once, briefly, with few connections, and still checks
//! every reply. `rain-bench drive <port> <count>` only makes `count` round trips on one connection
//! against a server already running, and `rain-bench hold <port> <count>` holds `count` idle
//! connections for two seconds (both for profiling a server under valgrind: `profile.sh`).

mod client;
mod measure;
mod server;

use std::{
    path::PathBuf,
    process::{Command, ExitCode},
    time::Duration,
};

use measure::Load;
use server::{Kind, Programs};

/// How much of everything to do.
#[derive(Debug, Clone)]
struct Settings {
    smoke: bool,
    rounds: usize,
    warmup: Duration,
    duration: Duration,
    max_each: usize,
    many: usize,
    idle: usize,
    broadcast_clients: usize,
    broadcast_rounds: usize,
    discovery_runs: usize,
}

impl Settings {
    fn full() -> Self {
        Self {
            smoke: false,
            rounds: 5,
            warmup: Duration::from_millis(500),
            duration: Duration::from_secs(3),
            max_each: 1_000_000,
            many: 64,
            idle: 2_000,
            broadcast_clients: 1_000,
            broadcast_rounds: 10,
            discovery_runs: 5,
        }
    }

    fn smoke() -> Self {
        Self {
            smoke: true,
            rounds: 1,
            warmup: Duration::from_millis(100),
            duration: Duration::from_millis(300),
            max_each: 10_000,
            many: 64,
            idle: 200,
            broadcast_clients: 100,
            broadcast_rounds: 3,
            discovery_runs: 1,
        }
    }
}

/// What one server gave, one entry per round.
#[derive(Debug, Default)]
struct Samples {
    one: Vec<Load>,
    many: Vec<Load>,
    idle_bytes: Vec<f64>,
    broadcast: Vec<Duration>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start a runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.first().map(String::as_str) {
        Some("drive") => runtime.block_on(drive(&args[1..])),
        Some("hold") => runtime.block_on(hold(&args[1..])),
        Some("load") => runtime.block_on(load(&args[1..])),
        Some("-h" | "--help") => {
            println!(
                "usage: rain-bench [--smoke] [--rounds N] | rain-bench (drive|hold) <port> <count> \
                 | rain-bench load <port> <connections> <count>"
            );
            Ok(())
        }
        _ => parse(&args).and_then(|settings| runtime.block_on(run(settings))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rain-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: &[String]) -> Result<Settings, String> {
    let mut settings = Settings::full();
    let mut rounds = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--smoke" => settings = Settings::smoke(),
            "--rounds" => {
                rounds = Some(
                    args.next()
                        .and_then(|n| n.parse().ok())
                        .filter(|&n| n > 0)
                        .ok_or("`--rounds` takes a positive number")?,
                );
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}`; expected `--smoke` or `--rounds N`"
                ));
            }
        }
    }
    if let Some(rounds) = rounds {
        settings.rounds = rounds;
    }
    Ok(settings)
}

/// `drive <port> <count>`: `count` round trips on one connection, every reply checked.
async fn drive(args: &[String]) -> Result<(), String> {
    let [port, count] = args else {
        return Err("usage: rain-bench drive <port> <count>".to_owned());
    };
    let port: u16 = port.parse().map_err(|_| "bad port")?;
    let count: usize = count.parse().map_err(|_| "bad count")?;
    let mut client = client::Client::connect(port, measure::DUMMY).await?;
    for _ in 0..count {
        client.emit("hello", r#"{"ignored":true}"#).await?;
        client.expect("bye", r#"{"message":"Hello sir"}"#).await?;
    }
    client.close().await;
    Ok(())
}

/// `load <port> <connections> <count>`: `count` round trips on each of `connections` connections
/// at once, every reply checked (for profiling a server under load).
async fn load(args: &[String]) -> Result<(), String> {
    let [port, connections, count] = args else {
        return Err("usage: rain-bench load <port> <connections> <count>".to_owned());
    };
    let port: u16 = port.parse().map_err(|_| "bad port")?;
    let connections: usize = connections.parse().map_err(|_| "bad connections")?;
    let count: usize = count.parse().map_err(|_| "bad count")?;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..connections {
        set.spawn(async move {
            let mut client = client::Client::connect(port, measure::DUMMY).await?;
            for _ in 0..count {
                client.emit("hello", r#"{"ignored":true}"#).await?;
                client.expect("bye", r#"{"message":"Hello sir"}"#).await?;
            }
            client.close().await;
            Ok::<_, String>(())
        });
    }
    while let Some(joined) = set.join_next().await {
        joined.map_err(|e| e.to_string())??;
    }
    Ok(())
}

/// `hold <port> <count>`: `count` idle connections, held for two seconds.
async fn hold(args: &[String]) -> Result<(), String> {
    let [port, count] = args else {
        return Err("usage: rain-bench hold <port> <count>".to_owned());
    };
    let port: u16 = port.parse().map_err(|_| "bad port")?;
    let count: usize = count.parse().map_err(|_| "bad count")?;
    let mut clients = Vec::with_capacity(count);
    for _ in 0..count {
        clients.push(client::Client::connect(port, measure::DUMMY).await?);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    for client in clients {
        client.close().await;
    }
    Ok(())
}

async fn run(settings: Settings) -> Result<(), String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bin_dir = std::env::current_exe()
        .map_err(|e| e.to_string())?
        .parent()
        .ok_or("no executable directory")?
        .to_path_buf();
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    let pinned = cpus >= 2 && server::on_path("taskset") && pin_self_to_cpu0();
    let programs = Programs {
        bin_dir: bin_dir.clone(),
        node_dir: root.join("node"),
        server_cpus: pinned.then(|| format!("1-{}", cpus - 1)),
    };
    if !programs.node_dir.join("node_modules/socket.io").is_dir() {
        return Err("rain-bench/node has no node_modules: run `npm ci` there (run.sh does)".into());
    }
    let ticks = server::clock_ticks();
    let cores = if pinned {
        format!(
            "{cpus} CPUs: load generator pinned to CPU 0, each server to CPUs 1-{}; \
             other processes of the machine share them all",
            cpus - 1
        )
    } else {
        format!("{cpus} CPUs, shared by the load generator and the server (not pinned)")
    };
    eprintln!("# {cores}");

    let mut samples: Vec<(Kind, Samples)> =
        Kind::ALL.iter().map(|&k| (k, Samples::default())).collect();
    for round in 0..settings.rounds {
        for step in 0..Kind::ALL.len() {
            // Interleaved, and each round starts with a different server.
            let kind = Kind::ALL[(round + step) % Kind::ALL.len()];
            eprintln!(
                "# round {} of {}: {}",
                round + 1,
                settings.rounds,
                kind.label()
            );
            let sample = &mut samples
                .iter_mut()
                .find(|(k, _)| *k == kind)
                .ok_or("kind")?
                .1;
            let server = programs.start(kind, free_port()?)?;
            let with = |what: &str, error: String| format!("{} ({what}): {error}", kind.label());
            sample.idle_bytes.push(
                measure::idle_memory(&server, settings.idle)
                    .await
                    .map_err(|e| with("idle connections", e))?,
            );
            let one = settings.warmup;
            sample.one.push(
                measure::round_trips(&server, ticks, 1, one, settings.duration, settings.max_each)
                    .await
                    .map_err(|e| with("1 connection", e))?,
            );
            sample.many.push(
                measure::round_trips(
                    &server,
                    ticks,
                    settings.many,
                    one,
                    settings.duration,
                    settings.max_each,
                )
                .await
                .map_err(|e| with("many connections", e))?,
            );
            let times = measure::broadcast(
                &server,
                settings.broadcast_clients,
                settings.broadcast_rounds,
            )
            .await
            .map_err(|e| with("broadcast", e))?;
            sample.broadcast.push(median_duration(times));
        }
    }

    let runtime = {
        let server = programs.start(Kind::Rain, free_port()?)?;
        measure::runtime_size(&server).await?
    };
    let discovery = discovery(&bin_dir, settings.discovery_runs)?;

    print_report(&settings, &cores, &samples, &runtime, &discovery);
    Ok(())
}

/// Pins this process (and so the threads and children it starts later) to CPU 0.
fn pin_self_to_cpu0() -> bool {
    Command::new("taskset")
        .args(["-p", "-c", "0", &std::process::id().to_string()])
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// Discovery and mounting, timed by `rain-bench-sockets`: medians of `runs` fresh processes.
struct Discovery {
    sockets: usize,
    discover: Duration,
    router: Duration,
    plain_mount: Duration,
}

fn discovery(bin_dir: &std::path::Path, runs: usize) -> Result<Discovery, String> {
    let mut found = Vec::new();
    for _ in 0..runs {
        let out = Command::new(bin_dir.join("rain-bench-sockets"))
            .output()
            .map_err(|e| format!("cannot run rain-bench-sockets (run.sh builds it): {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "rain-bench-sockets failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let line = String::from_utf8_lossy(&out.stdout).into_owned();
        let field = |name: &str| -> Result<u64, String> {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("no `{name}` in {line:?}"))
        };
        found.push((
            field("sockets")? as usize,
            Duration::from_micros(field("discover_us")?),
            Duration::from_micros(field("router_us")?),
            Duration::from_micros(field("plain_mount_us")?),
        ));
    }
    Ok(Discovery {
        sockets: found.first().map_or(0, |f| f.0),
        discover: median_duration(found.iter().map(|f| f.1).collect()),
        router: median_duration(found.iter().map(|f| f.2).collect()),
        plain_mount: median_duration(found.iter().map(|f| f.3).collect()),
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn median_duration(values: Vec<Duration>) -> Duration {
    Duration::from_secs_f64(median(values.iter().map(Duration::as_secs_f64).collect()).max(0.0))
}

/// One row of the main table: how to get the value from a sample, and how to show it.
struct Row {
    name: String,
    values: fn(&Samples) -> Vec<f64>,
    digits: usize,
}

fn print_report(
    settings: &Settings,
    cores: &str,
    samples: &[(Kind, Samples)],
    runtime: &[measure::RuntimeFile],
    discovery: &Discovery,
) {
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let many = settings.many;
    let rows = [
        Row {
            name: "round trips/s, 1 connection".into(),
            values: |s| s.one.iter().map(|l| l.per_second).collect(),
            digits: 0,
        },
        Row {
            name: "p50 latency, 1 connection (µs)".into(),
            values: |s| s.one.iter().map(|l| l.p50.as_secs_f64() * 1e6).collect(),
            digits: 0,
        },
        Row {
            name: "p99 latency, 1 connection (µs)".into(),
            values: |s| s.one.iter().map(|l| l.p99.as_secs_f64() * 1e6).collect(),
            digits: 0,
        },
        Row {
            name: "server CPU per round trip, 1 connection (µs)".into(),
            values: |s| {
                s.one
                    .iter()
                    .map(|l| l.cpu_per_round_trip.as_secs_f64() * 1e6)
                    .collect()
            },
            digits: 1,
        },
        Row {
            name: format!("round trips/s, {many} connections"),
            values: |s| s.many.iter().map(|l| l.per_second).collect(),
            digits: 0,
        },
        Row {
            name: format!("p50 latency, {many} connections (µs)"),
            values: |s| s.many.iter().map(|l| l.p50.as_secs_f64() * 1e6).collect(),
            digits: 0,
        },
        Row {
            name: format!("p99 latency, {many} connections (µs)"),
            values: |s| s.many.iter().map(|l| l.p99.as_secs_f64() * 1e6).collect(),
            digits: 0,
        },
        Row {
            name: format!("server CPU per round trip, {many} connections (µs)"),
            values: |s| {
                s.many
                    .iter()
                    .map(|l| l.cpu_per_round_trip.as_secs_f64() * 1e6)
                    .collect()
            },
            digits: 1,
        },
        Row {
            name: format!(
                "resident memory per idle connection, {} connections (KB)",
                settings.idle
            ),
            values: |s| s.idle_bytes.iter().map(|b| b / 1000.0).collect(),
            digits: 1,
        },
        Row {
            name: format!(
                "broadcast reaching all of {} clients (ms)",
                settings.broadcast_clients
            ),
            values: |s| s.broadcast.iter().map(|d| d.as_secs_f64() * 1e3).collect(),
            digits: 2,
        },
    ];
    let kinds: Vec<&str> = samples.iter().map(|(k, _)| k.label()).collect();
    println!(
        "{} of {} interleaved round(s); medians, with the range over rounds in brackets. {cores}.\n",
        if settings.smoke {
            "Smoke run"
        } else {
            "Full run"
        },
        settings.rounds
    );
    println!(
        "| measure | {} | Rain ÷ socketioxide | Rain ÷ Node |",
        kinds.join(" | ")
    );
    println!("|---|{}---:|---:|", "---:|".repeat(kinds.len()));
    for row in &rows {
        let medians: Vec<f64> = samples
            .iter()
            .map(|(_, s)| median((row.values)(s)))
            .collect();
        let cells: Vec<String> = samples
            .iter()
            .zip(&medians)
            .map(|((_, s), m)| {
                let values = (row.values)(s);
                let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                if values.len() > 1 {
                    format!(
                        "{} [{}–{}]",
                        fmt(*m, row.digits),
                        fmt(lo, row.digits),
                        fmt(hi, row.digits)
                    )
                } else {
                    fmt(*m, row.digits)
                }
            })
            .collect();
        let ratio = |other: usize| format!("{:.2}×", medians[0] / medians[other]);
        println!(
            "| {} | {} | {} | {} |",
            row.name,
            cells.join(" | "),
            ratio(1),
            ratio(2)
        );
    }

    let gzipped: usize = runtime.iter().map(|f| f.gzipped).sum();
    let identity: usize = runtime.iter().map(|f| f.identity).sum();
    println!("\n| Rain only | value |\n|---|---:|");
    println!(
        "| `App::discover()` + `App::router()`, {} generated sockets (ms) | {:.1} ({:.1} + {:.1}) |",
        discovery.sockets,
        (us(discovery.discover) + us(discovery.router)) / 1e3,
        us(discovery.discover) / 1e3,
        us(discovery.router) / 1e3
    );
    println!(
        "| plain socketioxide mounting as many namespaces, the floor (ms) | {:.1} |",
        us(discovery.plain_mount) / 1e3
    );
    println!(
        "| browser runtime as served gzipped, {} modules (bytes, sum) | {gzipped} |",
        runtime.len()
    );
    println!("| browser runtime as served without `Accept-Encoding` (bytes, sum) | {identity} |");
    println!(
        "\nRuntime modules (gzipped / identity, as served): {}",
        runtime
            .iter()
            .map(|f| format!("{} {}/{}", f.name, f.gzipped, f.identity))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// `value` with `digits` decimals and thousands separators.
fn fmt(value: f64, digits: usize) -> String {
    let text = format!("{value:.digits$}");
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0
            && (int.len() - i) % 3 == 0
            && c.is_ascii_digit()
            && int.as_bytes()[i - 1].is_ascii_digit()
        {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(frac) => format!("{grouped}.{frac}"),
        None => grouped,
    }
}
