//! The log alone: numbering, parking, what a recovery replays and what it refuses.

use super::*;
use socketioxide_core::{Value, packet::PacketData};

const SETTINGS: RecoverySettings = RecoverySettings {
    window: Duration::from_secs(120),
    heartbeat: Duration::from_secs(45),
    max_missed: 5,
    max_missed_bytes: 1 << 20,
    buffer_events: 8,
    buffer_bytes: 1 << 20,
};

fn event(text: &str) -> Packet {
    Packet {
        inner: PacketData::Event(Value::Str(format!("[\"m\",{text:?}]").into(), None), None),
        ns: "/ns".into(),
    }
}

fn text(packet: &Packet) -> String {
    match &packet.inner {
        PacketData::Event(Value::Str(data, _), _) => data.as_str().to_owned(),
        _ => panic!("not an event"),
    }
}

fn to_room(room: &'static str) -> BroadcastOptions {
    let mut opts = BroadcastOptions::default();
    opts.rooms.push(room.into());
    opts
}

struct Collect(Mutex<Vec<(Sid, String)>>);
impl Deliver for Collect {
    fn deliver(&self, packet: Packet, to: Sid) {
        self.0.lock().unwrap().push((to, text(&packet)));
    }
}

fn log() -> (Log, Arc<Collect>) {
    let log = Log::new(SETTINGS);
    let collect = Arc::new(Collect(Mutex::new(Vec::new())));
    let weak: Weak<dyn Deliver> = Arc::downgrade(&(Arc::clone(&collect) as Arc<dyn Deliver>));
    log.attach(weak);
    (log, collect)
}

fn send(log: &Log, text: &str, opts: &BroadcastOptions) -> String {
    log.record(event(text), opts, |p| self::text(&p))
}

#[test]
fn events_carry_their_offset_as_last_argument() {
    let (log, _) = log();
    let sent = send(&log, "a", &to_room("r"));
    assert_eq!(sent, format!("[\"m\",\"a\",\"{:08x}-1\"]", log.epoch));
    assert_eq!(log.head(), format!("{:08x}-1", log.epoch));
    let mut volatile = to_room("r");
    volatile.add_flag(BroadcastFlags::Volatile);
    assert!(send(&log, "v", &volatile).ends_with("-1\"]"));
    assert_eq!(log.counts().1, 1, "volatile events are not kept");
}

#[test]
fn a_parked_socket_gets_what_was_meant_for_it_after_its_offset_once() {
    let (log, collect) = log();
    let (old, new) = (Sid::new(), Sid::new());
    send(&log, "before", &to_room("r"));
    let offset = log.head();
    send(&log, "in flight", &to_room("r"));
    log.park("p".into(), old, vec!["r".into()], None, Arc::new(()));
    send(&log, "other room", &to_room("elsewhere"));
    send(&log, "direct", &BroadcastOptions::new(old));
    let mut all_but_me = BroadcastOptions::new(old);
    all_but_me.add_flag(BroadcastFlags::Broadcast);
    send(&log, "from me", &all_but_me);
    let mut joined = Vec::new();
    let restored = log
        .restore("p", &offset, None, new, |r| joined = r.to_vec(), |_| {})
        .ok()
        .unwrap();
    assert_eq!(joined, vec![Room::from("r")]);
    assert_eq!(restored.rooms, joined);
    let got: Vec<String> = collect
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|(_, t)| t.clone())
        .collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got[0].contains("in flight") && got[1].contains("direct"));
    assert!(collect.0.lock().unwrap().iter().all(|(to, _)| *to == new));
    let again = log.restore("p", &offset, None, new, |_| {}, |_| {});
    assert_eq!(again.err(), Some(Refused::Unknown), "a pid recovers once");
}

#[test]
fn refuses_what_it_cannot_recover_whole() {
    let (log, _) = log();
    let sid = Sid::new();
    let park = |pid: &str, owner: Option<&str>| {
        log.park(
            pid.into(),
            sid,
            vec!["r".into()],
            owner.map(Into::into),
            Arc::new(()),
        )
    };
    let offset = log.head();
    park("a", Some("session 1"));
    let refused = |pid, offset: &str, owner| {
        log.restore(pid, offset, owner, Sid::new(), |_| {}, |_| {})
            .err()
    };
    assert_eq!(
        refused("a", &offset, Some("session 2")),
        Some(Refused::SessionChanged)
    );
    park("b", None);
    assert_eq!(
        refused("b", "00000000-0", None),
        Some(Refused::Offset),
        "another epoch"
    );
    park("c", None);
    assert_eq!(
        refused("c", &format!("{:08x}-9", log.epoch), None),
        Some(Refused::Offset)
    );
    park("d", None);
    for i in 0..6 {
        send(&log, &i.to_string(), &to_room("r"));
    }
    assert_eq!(refused("d", &offset, None), Some(Refused::TooMany));
    park("e", None);
    for i in 0..10 {
        send(&log, &i.to_string(), &to_room("elsewhere"));
    }
    assert_eq!(
        log.counts().1,
        SETTINGS.buffer_events,
        "the buffer is bounded"
    );
    assert_eq!(
        refused("e", &offset, None),
        Some(Refused::Offset),
        "dropped for the bound"
    );
    assert_eq!(refused("nobody", &offset, None), Some(Refused::Unknown));
}

#[test]
fn matches_sends_as_socketioxide_does() {
    let sid = Sid::new();
    let rooms = [Room::from("a"), Room::from("b")];
    let mut opts = to_room("a");
    assert!(meant_for(&opts, sid, &rooms));
    opts.except.push("b".into());
    assert!(!meant_for(&opts, sid, &rooms));
    assert!(!meant_for(&to_room("c"), sid, &rooms));
    assert!(meant_for(&BroadcastOptions::new(sid), sid, &rooms));
    assert!(!meant_for(&BroadcastOptions::new(Sid::new()), sid, &rooms));
    let mut everyone = BroadcastOptions::new(Sid::new());
    everyone.add_flag(BroadcastFlags::Broadcast);
    assert!(meant_for(&everyone, sid, &rooms));
    assert!(!meant_for(&BroadcastOptions::default(), sid, &rooms));
}

#[test]
fn offsets_are_read_as_they_are_written_and_nothing_else_is_one() {
    assert_eq!(parse_offset("0a1b2c3d-1f"), Some((0x0a1b_2c3d, 0x1f)));
    assert_eq!(
        parse_offset("ffffffff-ffffffffffffffff"),
        Some((u32::MAX, u64::MAX))
    );
    for text in [
        "",
        "-",
        "0a1b2c3d-",
        "0a1b2c3d",
        "a1b2c3d-1",
        "+a1b2c3d-1",
        "0a1b2c3d-+1",
        "0a1b2c3d-1ffffffffffffffff",
        "0a1b2c3g-1",
        "0a1b2c3d-1-2",
    ] {
        assert_eq!(parse_offset(text), None, "{text:?}");
    }
}
