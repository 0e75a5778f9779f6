//! Every word the console and the agent show, in English and Spanish.
//!
//! The words live in Fluent files (`locales/<lang>/*.ftl`), compiled into the binary. A UI asks
//! for a message by its id with [`t!`]; the language is chosen per thread with [`set_lang`]
//! (each app sets it at the top of every frame from its settings, so tests on parallel threads
//! can each render their own language).
//!
//! A missing message shows its id rather than nothing; the crate's tests check that both
//! languages have the same messages with the same variables, and that every id the apps use
//! exists.

pub mod words;

use std::cell::{Cell, RefCell};

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

/// A language the apps speak.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Spanish.
    Es,
}

impl Lang {
    /// Every language, in the order a menu offers them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// The BCP 47 tag.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language's name in itself (how a menu should offer it).
    #[must_use]
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
        }
    }

    /// The language for a locale such as `es-MX`, `es_ES.UTF-8` or `en-GB`; English for
    /// anything not translated.
    #[must_use]
    pub fn from_locale(locale: &str) -> Lang {
        let primary = locale.split(['-', '_', '.', '@']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("es") { Lang::Es } else { Lang::En }
    }

    /// The system's language (`LANG`, `LC_ALL` and friends on Linux; the user's locale on
    /// Windows and macOS).
    #[must_use]
    pub fn system() -> Lang {
        sys_locale::get_locale().map_or(Lang::En, |l| Lang::from_locale(&l))
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The Fluent sources of each language, as compiled in: (language, file name, text).
pub const SOURCES: &[(Lang, &str, &str)] = &[
    (Lang::En, "console.ftl", include_str!("../locales/en/console.ftl")),
    (Lang::Es, "console.ftl", include_str!("../locales/es/console.ftl")),
    (Lang::En, "agent.ftl", include_str!("../locales/en/agent.ftl")),
    (Lang::Es, "agent.ftl", include_str!("../locales/es/agent.ftl")),
    (Lang::En, "common.ftl", include_str!("../locales/en/common.ftl")),
    (Lang::Es, "common.ftl", include_str!("../locales/es/common.ftl")),
    (Lang::En, "site.ftl", include_str!("../locales/en/site.ftl")),
    (Lang::Es, "site.ftl", include_str!("../locales/es/site.ftl")),
];

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
    static BUNDLES: RefCell<[Option<FluentBundle<FluentResource>>; 2]> = const { RefCell::new([None, None]) };
}

/// Sets this thread's language.
pub fn set_lang(lang: Lang) {
    CURRENT.with(|c| c.set(lang));
}

/// This thread's language.
#[must_use]
pub fn lang() -> Lang {
    CURRENT.with(Cell::get)
}

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let tag: unic_langid::LanguageIdentifier = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new(vec![tag]);
    // No Unicode isolation marks around values: the UI fonts have no glyphs for them.
    bundle.set_use_isolating(false);
    for (_, _, text) in SOURCES.iter().filter(|(l, ..)| *l == lang) {
        let resource = FluentResource::try_new((*text).to_owned()).unwrap_or_else(|(res, _)| res);
        // A duplicate id keeps the first; the tests make sure there is none.
        let _ = bundle.add_resource(resource);
    }
    bundle
}

/// A value for a message's variable.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Text, shown as is.
    Str(String),
    /// A number (plural rules look at it).
    Num(f64),
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Value {
        Value::Str(s.clone())
    }
}
macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Value {
                Value::Num(f64::from(n))
            }
        }
    )*};
}
numbers!(u8, u16, u32, i32, f32, f64);
macro_rules! wide_numbers {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            // Counts and sizes shown to people: far below 2^53, where f64 is exact.
            fn from(n: $t) -> Value {
                Value::Num(n as f64)
            }
        }
    )*};
}
wide_numbers!(u64, usize, i64);

/// The message `id` in this thread's language.
#[must_use]
pub fn tr(id: &str) -> String {
    tr_with(id, &[])
}

/// The message `id` in this thread's language, with its variables.
#[must_use]
pub fn tr_with(id: &str, args: &[(&str, Value)]) -> String {
    tr_in(lang(), id, args)
}

/// The message `id` in `lang`, with its variables.
#[must_use]
pub fn tr_in(lang: Lang, id: &str, args: &[(&str, Value)]) -> String {
    BUNDLES.with(|b| {
        let mut bundles = b.borrow_mut();
        let bundle = bundles[lang.index()].get_or_insert_with(|| bundle(lang));
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            match v {
                Value::Str(s) => fargs.set(*k, FluentValue::from(s.as_str())),
                Value::Num(n) => fargs.set(*k, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, Some(&fargs), &mut errors).into_owned()
    })
}

/// Whether `id` is a message in `lang`.
#[must_use]
pub fn has_message(lang: Lang, id: &str) -> bool {
    BUNDLES.with(|b| {
        let mut bundles = b.borrow_mut();
        bundles[lang.index()].get_or_insert_with(|| bundle(lang)).has_message(id)
    })
}

/// A message in this thread's language: `t!("id")` or `t!("id", name = value, ...)`.
#[macro_export]
macro_rules! t {
    ($id:literal) => {
        $crate::tr($id)
    };
    ($id:literal, $($k:ident = $v:expr),+ $(,)?) => {
        $crate::tr_with($id, &[$((stringify!($k), $crate::Value::from($v))),+])
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_map_to_languages() {
        assert_eq!(Lang::from_locale("es-MX"), Lang::Es);
        assert_eq!(Lang::from_locale("es_ES.UTF-8"), Lang::Es);
        assert_eq!(Lang::from_locale("ES"), Lang::Es);
        assert_eq!(Lang::from_locale("en-GB"), Lang::En);
        assert_eq!(Lang::from_locale("de-DE"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
        assert_eq!(Lang::from_locale("C"), Lang::En);
    }

    #[test]
    fn languages_are_per_thread_and_take_variables() {
        set_lang(Lang::Es);
        let es = t!("invite-revoke");
        std::thread::Builder::new()
            .name("other-language".into())
            .spawn(|| assert_eq!(t!("invite-revoke"), "Revoke"))
            .expect("thread")
            .join()
            .expect("join");
        assert_eq!(lang(), Lang::Es);
        assert_eq!(es, "Revocar");
        assert_eq!(t!("banner-viewing", name = "Ana"), "Viendo la pantalla de Ana");
        set_lang(Lang::En);
        assert_eq!(t!("banner-viewing", name = "Ana"), "Viewing Ana's screen");
        assert_eq!(t!("tool-chat-unread-name", count = 1), "Chat, one unread message");
        assert_eq!(t!("tool-chat-unread-name", count = 3), "Chat, 3 unread messages");
        assert_eq!(t!("quality-line", path = "direct", rtt = 24u32, loss = "0.5"), "direct · 24 ms · 0.5 % lost");
        assert_eq!(t!("no-such-message"), "no-such-message");
    }
}
