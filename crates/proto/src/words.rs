//! Identity words: the host's endpoint id (the public key its QUIC handshake proves) shown as a
//! few plain English words, so a customer and a CSR can compare them aloud on the phone.

/// 256 short, distinct, easy-to-say words; byte value `n` is `WORDS[n]`.
const WORDS: [&str; 256] = [
    "acid", "acorn", "actor", "adobe", "agent", "album", "alert", "alley", "amber", "angle", "apple", "apron", "arena",
    "arrow", "aspen", "atlas", "badge", "bagel", "baker", "bamboo", "banjo", "barn", "basil", "beach", "beard",
    "berry", "bison", "blade", "blaze", "bloom", "board", "bonus", "boots", "brass", "bread", "brick", "bridge",
    "brook", "brush", "bucket", "cabin", "cable", "cactus", "camel", "candle", "canoe", "canyon", "cargo", "carpet",
    "castle", "cedar", "chalk", "cherry", "chess", "cider", "circle", "civic", "clock", "cloud", "clover", "coast",
    "cobra", "comet", "coral", "cotton", "crane", "crown", "cubic", "daisy", "dance", "delta", "denim", "desert",
    "diary", "dingo", "dolphin", "donkey", "dragon", "drum", "eagle", "earth", "easel", "echo", "elbow", "elder",
    "ember", "engine", "falcon", "fable", "fancy", "feather", "fern", "ferry", "fiber", "field", "flame", "flute",
    "forest", "fossil", "fox", "frost", "galaxy", "garden", "garlic", "gecko", "ginger", "glacier", "globe", "goose",
    "grape", "gravel", "guitar", "hammer", "harbor", "hazel", "helmet", "heron", "hollow", "honey", "horse", "island",
    "ivory", "jacket", "jaguar", "jasmine", "jelly", "jigsaw", "jungle", "kayak", "kernel", "kettle", "kiwi", "koala",
    "ladder", "lagoon", "lantern", "lemon", "lily", "linen", "lizard", "lobster", "lotus", "magnet", "mango", "maple",
    "marble", "meadow", "melon", "mint", "mirror", "monkey", "mosaic", "motor", "muffin", "nectar", "needle", "nickel",
    "noodle", "nutmeg", "oasis", "ocean", "olive", "onion", "orbit", "orchid", "otter", "oyster", "paddle", "panda",
    "paper", "parrot", "pastel", "peach", "pebble", "pepper", "piano", "pilot", "planet", "plum", "pocket", "polar",
    "pony", "poppy", "prism", "pumpkin", "puzzle", "quartz", "quill", "rabbit", "radar", "radish", "raven", "reef",
    "ribbon", "river", "robin", "rocket", "rose", "ruby", "saddle", "salmon", "sandal", "satin", "scarf", "shell",
    "silver", "sketch", "sloth", "snow", "socket", "spider", "spruce", "squid", "stable", "stone", "sugar", "summit",
    "swan", "tablet", "tango", "teapot", "tiger", "timber", "toast", "tomato", "topaz", "torch", "tulip", "tunnel",
    "turtle", "umbrella", "unicorn", "valley", "velvet", "violin", "volcano", "wagon", "walnut", "walrus", "water",
    "whale", "wheat", "willow", "window", "winter", "wizard", "wolf", "yacht", "yogurt", "zebra", "zenith", "zipper",
    "zinc", "yarn", "yeti", "yodel",
];

/// How many words an identity is shown as (48 bits).
pub const IDENTITY_WORDS: usize = 6;

/// The first [`IDENTITY_WORDS`] bytes of endpoint id `id` as words joined by spaces.
#[must_use]
pub fn identity_words(id: &[u8; 32]) -> String {
    id[..IDENTITY_WORDS].iter().map(|b| WORDS[usize::from(*b)]).collect::<Vec<_>>().join(" ")
}

/// A size for people: `15.6 GiB`.
#[must_use]
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{n} B") } else { format!("{v:.1} {}", UNITS[unit]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_distinct() {
        let mut w = WORDS.to_vec();
        w.sort_unstable();
        w.dedup();
        assert_eq!(w.len(), 256);
    }

    #[test]
    fn words_depend_on_bytes() {
        let mut fp = [0u8; 32];
        assert_eq!(identity_words(&fp), "acid acid acid acid acid acid");
        fp[0] = 255;
        fp[5] = 1;
        assert_eq!(identity_words(&fp), "yodel acid acid acid acid acorn");
    }
}
