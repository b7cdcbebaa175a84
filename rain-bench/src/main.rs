//! Benchmarks the Rain example server against plain socketioxide and the official Node socket.io
//! server, all three doing the same work, and prints a markdown table of medians and ratios.
//!
//! Run it with `bash rain-bench/run.sh` (which builds the servers and installs the Node packages
//! first); `--smoke` runs every measurement once, briefly, with few connections, and still checks
//! every reply; `--only <section>[,<section>...]` runs only those sections of the report
//! (`events`, `binary`, `runtime`, `discovery`).
//!
//! `rain-bench drive <port> <count>` only makes `count` round trips on one connection against a
//! server already running, and `rain-bench hold <port> <count>` holds `count` idle connections for
//! two seconds (both for profiling a server under valgrind: `profile.sh`); `rain-bench load <port>
//! <connections> <count>` makes `count` round trips on each of `connections` connections at once.
//! `drive` and `load` make `hello` round trips, or, given `binary` last, binary ones (64 KiB
//! acked back).

mod client;
mod measure;
mod server;

use std::{
    path::PathBuf,
    process::{Command, ExitCode},
    time::Duration,
};

use measure::{Exchange, Load};
use server::{Kind, Programs};

/// A part of the report, which `--only` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// `hello` round trips at 1 and many connections, idle memory, broadcast.
    Events,
    /// Binary round trips: an attachment acked back.
    Binary,
    /// The browser runtime's size as served.
    Runtime,
    /// Discovery and mounting of the generated sockets (`rain-bench-sockets`).
    Discovery,
}

impl Section {
    const ALL: [Section; 4] = [
        Section::Events,
        Section::Binary,
        Section::Runtime,
        Section::Discovery,
    ];

    fn name(self) -> &'static str {
        match self {
            Section::Events => "events",
            Section::Binary => "binary",
            Section::Runtime => "runtime",
            Section::Discovery => "discovery",
        }
    }
}

/// How much of everything to do.
#[derive(Debug, Clone)]
struct Settings {
    smoke: bool,
    sections: Vec<Section>,
    rounds: usize,
    warmup: Duration,
    duration: Duration,
    max_each: usize,
    many: usize,
    idle: usize,
    broadcast_clients: usize,
    broadcast_rounds: usize,
    /// Bytes of each binary round trip's one attachment, each way.
    binary_size: usize,
    binary_connections: usize,
    binary_warmup: Duration,
    binary_max_each: usize,
    discovery_runs: usize,
}

impl Settings {
    fn full() -> Self {
        Self {
            smoke: false,
            sections: Section::ALL.to_vec(),
            rounds: 5,
            warmup: Duration::from_millis(500),
            duration: Duration::from_secs(3),
            max_each: 1_000_000,
            many: 64,
            idle: 2_000,
            broadcast_clients: 1_000,
            broadcast_rounds: 10,
            binary_size: BINARY_SIZE,
            binary_connections: 64,
            binary_warmup: Duration::from_millis(500),
            binary_max_each: 1_000_000,
            discovery_runs: 5,
        }
    }

    fn smoke() -> Self {
        Self {
            smoke: true,
            sections: Section::ALL.to_vec(),
            rounds: 1,
            warmup: Duration::from_millis(100),
            duration: Duration::from_millis(300),
            max_each: 10_000,
            many: 64,
            idle: 200,
            broadcast_clients: 100,
            broadcast_rounds: 3,
            // A few round trips, every byte checked; no warm-up.
            binary_size: BINARY_SIZE,
            binary_connections: 8,
            binary_warmup: Duration::ZERO,
            binary_max_each: 4,
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
    binary: Vec<Load>,
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
                "usage: rain-bench [--smoke] [--rounds N] [--only events,binary,runtime,discovery] \
                 | rain-bench drive <port> <count> [binary] | rain-bench hold <port> <count> \
                 | rain-bench load <port> <connections> <count> [binary]"
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
    let mut only = None;
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
            "--only" => {
                let list = args.next().ok_or("`--only` takes a list of sections")?;
                let mut sections = Vec::new();
                for name in list.split(',') {
                    let section = Section::ALL
                        .into_iter()
                        .find(|s| s.name() == name)
                        .ok_or_else(|| {
                            format!(
                                "unknown section `{name}`; expected {}",
                                Section::ALL.map(Section::name).join(", ")
                            )
                        })?;
                    if !sections.contains(&section) {
                        sections.push(section);
                    }
                }
                only = Some(sections);
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}`; expected `--smoke`, `--rounds N` or `--only LIST`"
                ));
            }
        }
    }
    if let Some(rounds) = rounds {
        settings.rounds = rounds;
    }
    if let Some(sections) = only {
        settings.sections = sections;
    }
    Ok(settings)
}

/// The exchange of `drive` and `load`: `hello`, or `binary` when the last argument says so.
fn exchange_of(args: &[String]) -> (&[String], Exchange) {
    match args.split_last() {
        Some((last, rest)) if last == "binary" => (rest, Exchange::Binary(BINARY_SIZE)),
        _ => (args, Exchange::Hello),
    }
}

/// Bytes of a binary round trip's attachment, each way.
const BINARY_SIZE: usize = 64 * 1024;

/// `drive <port> <count> [binary]`: `count` round trips on one connection, every reply checked.
async fn drive(args: &[String]) -> Result<(), String> {
    let (args, exchange) = exchange_of(args);
    let [port, count] = args else {
        return Err("usage: rain-bench drive <port> <count> [binary]".to_owned());
    };
    let port: u16 = port.parse().map_err(|_| "bad port")?;
    let count: usize = count.parse().map_err(|_| "bad count")?;
    let mut client = client::Client::connect(port, exchange.namespace()).await?;
    let payload = exchange.payload(0);
    for _ in 0..count {
        exchange.once(&mut client, &payload).await?;
    }
    client.close().await;
    Ok(())
}

/// `load <port> <connections> <count> [binary]`: `count` round trips on each of `connections`
/// connections at once, every reply checked (for profiling a server under load).
async fn load(args: &[String]) -> Result<(), String> {
    let (args, exchange) = exchange_of(args);
    let [port, connections, count] = args else {
        return Err("usage: rain-bench load <port> <connections> <count> [binary]".to_owned());
    };
    let port: u16 = port.parse().map_err(|_| "bad port")?;
    let connections: usize = connections.parse().map_err(|_| "bad connections")?;
    let count: usize = count.parse().map_err(|_| "bad count")?;
    let mut set = tokio::task::JoinSet::new();
    for index in 0..connections {
        let payload = exchange.payload(index);
        set.spawn(async move {
            let mut client = client::Client::connect(port, exchange.namespace()).await?;
            for _ in 0..count {
                exchange.once(&mut client, &payload).await?;
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
    let has = |section| settings.sections.contains(&section);
    let compared = has(Section::Events) || has(Section::Binary);
    if compared && !programs.node_dir.join("node_modules/socket.io").is_dir() {
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
    let rounds = if compared { settings.rounds } else { 0 };
    for round in 0..rounds {
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
            if has(Section::Events) {
                events(&settings, &server, ticks, sample)
                    .await
                    .map_err(|(what, e)| with(what, e))?;
            }
            if has(Section::Binary) {
                sample.binary.push(
                    measure::round_trips(
                        &server,
                        ticks,
                        Exchange::Binary(settings.binary_size),
                        settings.binary_connections,
                        settings.binary_warmup,
                        settings.duration,
                        settings.binary_max_each,
                    )
                    .await
                    .map_err(|e| with("binary round trips", e))?,
                );
            }
        }
    }

    let runtime = if has(Section::Runtime) {
        let server = programs.start(Kind::Rain, free_port()?)?;
        Some(measure::runtime_size(&server).await?)
    } else {
        None
    };
    let discovery = if has(Section::Discovery) {
        Some(discovery(&bin_dir, settings.discovery_runs)?)
    } else {
        None
    };

    print_report(
        &settings,
        &cores,
        &samples,
        runtime.as_deref(),
        discovery.as_ref(),
    );
    Ok(())
}

/// The `events` section against one server: idle memory, `hello` round trips at one and at
/// many connections, broadcast. An error names the measure that failed.
async fn events(
    settings: &Settings,
    server: &server::Server,
    ticks: u64,
    sample: &mut Samples,
) -> Result<(), (&'static str, String)> {
    sample.idle_bytes.push(
        measure::idle_memory(server, settings.idle)
            .await
            .map_err(|e| ("idle connections", e))?,
    );
    let (warmup, duration, max_each) = (settings.warmup, settings.duration, settings.max_each);
    let hello = Exchange::Hello;
    sample.one.push(
        measure::round_trips(server, ticks, hello, 1, warmup, duration, max_each)
            .await
            .map_err(|e| ("1 connection", e))?,
    );
    sample.many.push(
        measure::round_trips(
            server,
            ticks,
            hello,
            settings.many,
            warmup,
            duration,
            max_each,
        )
        .await
        .map_err(|e| ("many connections", e))?,
    );
    let times = measure::broadcast(
        server,
        settings.broadcast_clients,
        settings.broadcast_rounds,
    )
    .await
    .map_err(|e| ("broadcast", e))?;
    sample.broadcast.push(median_duration(times));
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

/// The values of one row in a server's sample, one per round.
type Values = Box<dyn Fn(&Samples) -> Vec<f64>>;

/// One row of the main table: how to get the value from a sample, and how to show it.
struct Row {
    name: String,
    values: Values,
    digits: usize,
}

impl Row {
    fn new(
        name: impl Into<String>,
        digits: usize,
        values: impl Fn(&Samples) -> Vec<f64> + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            values: Box::new(values),
            digits,
        }
    }
}

/// Round trips per second, p50 and p99 latency and server CPU per round trip of the loads that
/// `loads` picks from a sample, `what` naming them in each row (`1 connection`, ...).
fn load_rows(what: &str, loads: fn(&Samples) -> &[Load]) -> Vec<Row> {
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    vec![
        Row::new(format!("round trips/s, {what}"), 0, move |s| {
            loads(s).iter().map(|l| l.per_second).collect()
        }),
        Row::new(format!("p50 latency, {what} (µs)"), 0, move |s| {
            loads(s).iter().map(|l| us(l.p50)).collect()
        }),
        Row::new(format!("p99 latency, {what} (µs)"), 0, move |s| {
            loads(s).iter().map(|l| us(l.p99)).collect()
        }),
        Row::new(
            format!("server CPU per round trip, {what} (µs)"),
            1,
            move |s| loads(s).iter().map(|l| us(l.cpu_per_round_trip)).collect(),
        ),
    ]
}

fn print_report(
    settings: &Settings,
    cores: &str,
    samples: &[(Kind, Samples)],
    runtime: Option<&[measure::RuntimeFile]>,
    discovery: Option<&Discovery>,
) {
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let has = |section| settings.sections.contains(&section);
    let mut rows = Vec::new();
    if has(Section::Events) {
        rows.extend(load_rows("1 connection", |s| &s.one));
        rows.extend(load_rows(&format!("{} connections", settings.many), |s| {
            &s.many
        }));
        rows.push(Row::new(
            format!(
                "resident memory per idle connection, {} connections (KB)",
                settings.idle
            ),
            1,
            |s| s.idle_bytes.iter().map(|b| b / 1000.0).collect(),
        ));
        rows.push(Row::new(
            format!(
                "broadcast reaching all of {} clients (ms)",
                settings.broadcast_clients
            ),
            2,
            |s| s.broadcast.iter().map(|d| d.as_secs_f64() * 1e3).collect(),
        ));
    }
    if has(Section::Binary) {
        rows.extend(load_rows(
            &format!(
                "binary {} KiB acked back, {} connections",
                settings.binary_size / 1024,
                settings.binary_connections
            ),
            |s| &s.binary,
        ));
    }
    let sections = if settings.sections.len() == Section::ALL.len() {
        String::new()
    } else {
        let names: Vec<&str> = settings.sections.iter().map(|s| s.name()).collect();
        format!(" (sections: {})", names.join(", "))
    };
    let kind = if settings.smoke {
        "Smoke run"
    } else {
        "Full run"
    };
    if rows.is_empty() {
        println!("{kind}{sections}. {cores}.");
    } else {
        println!(
            "{kind}{sections} of {} interleaved round(s); medians, with the range over rounds in \
             brackets. {cores}.\n",
            settings.rounds
        );
        print_rows(samples, &rows);
    }

    if runtime.is_none() && discovery.is_none() {
        return;
    }
    println!("\n| Rain only | value |\n|---|---:|");
    if let Some(discovery) = discovery {
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
    }
    if let Some(runtime) = runtime {
        let gzipped: usize = runtime.iter().map(|f| f.gzipped).sum();
        let identity: usize = runtime.iter().map(|f| f.identity).sum();
        println!(
            "| browser runtime as served gzipped, {} modules (bytes, sum) | {gzipped} |",
            runtime.len()
        );
        println!(
            "| browser runtime as served without `Accept-Encoding` (bytes, sum) | {identity} |"
        );
        println!(
            "\nRuntime modules (gzipped / identity, as served): {}",
            runtime
                .iter()
                .map(|f| format!("{} {}/{}", f.name, f.gzipped, f.identity))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

/// The main table: one line per row, the median of each server with its range, and the ratios.
fn print_rows(samples: &[(Kind, Samples)], rows: &[Row]) {
    let kinds: Vec<&str> = samples.iter().map(|(k, _)| k.label()).collect();
    println!(
        "| measure | {} | Rain ÷ socketioxide | Rain ÷ Node |",
        kinds.join(" | ")
    );
    println!("|---|{}---:|---:|", "---:|".repeat(kinds.len()));
    for row in rows {
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
