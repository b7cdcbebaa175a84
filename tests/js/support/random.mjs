// A small seeded generator (mulberry32), so that a failing randomized test can be replayed from
// its seed.

/** `next()` in [0, 1), `int(n)` in [0, n), `pick(items)` one of them; all from `seed`. */
export function seeded(seed) {
    let state = seed >>> 0;
    const next = () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (n) => Math.floor(next() * n);
    const pick = (items) => items[int(items.length)];
    return { next, int, pick };
}
