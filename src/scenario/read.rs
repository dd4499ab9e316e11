//! The machinery that reads a scenario's JSON tree into typed values while
//! collecting every problem with its JSON path, and that describes the same
//! types as JSON Schema. A type that can appear in a scenario file implements
//! [`FileValue`]: one `read` and one `schema`, side by side, so the reader
//! and `acdsim schema` cannot drift apart. Objects of the format are declared
//! once with [`file_object!`](crate::file_object), which generates the struct,
//! its reader (unknown fields, missing fields, every field checked) and its
//! schema from the same field list and doc comments.

use serde_json::{json, Map, Number, Value};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// One thing wrong in a scenario, at a JSON path such as `queues[0].skill`
/// (empty path: the document itself).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(top level)"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.message)
    }
}

/// A value in the JSON tree, with its path from the root.
pub struct Node<'a> {
    pub path: String,
    pub value: &'a Value,
}

impl<'a> Node<'a> {
    pub fn root(value: &'a Value) -> Self {
        Node {
            path: String::new(),
            value,
        }
    }

    pub fn child(&self, key: &str, value: &'a Value) -> Node<'a> {
        Node {
            path: join_key(&self.path, key),
            value,
        }
    }

    pub fn item(&self, index: usize, value: &'a Value) -> Node<'a> {
        Node {
            path: format!("{}[{index}]", self.path),
            value,
        }
    }
}

/// `a.b` for identifier-like keys, `a["odd key"]` otherwise.
pub fn join_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (plain, path.is_empty()) {
        (true, true) => key.to_string(),
        (true, false) => format!("{path}.{key}"),
        (false, _) => format!("{path}[{}]", quoted(key)),
    }
}

pub use crate::text::quoted;

/// A short description of a value for "got ..." in messages.
pub fn describe(value: &Value) -> String {
    const MAX_CHARS: usize = 40;
    match value {
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
        Value::String(s) if s.chars().count() > MAX_CHARS => {
            let head: String = s.chars().take(MAX_CHARS).collect();
            quoted(&format!("{head}..."))
        }
        other => other.to_string(),
    }
}

/// What the reader knows about the document before it reads a field: the
/// declared skills and the time frame, read first (quietly) so that fields
/// referring to them are checked where they stand.
#[derive(Debug, Default, Clone)]
pub struct Context {
    /// Declared skill names and ids; `None` when the list itself is unusable
    /// (then references are not checked, to avoid a cascade of "unknown
    /// skill" problems that all have the same cause).
    pub skills: Option<HashMap<String, usize>>,
    pub skill_names: Vec<String>,
    /// Number of intervals a per-interval list must have, when the time frame is valid.
    pub intervals: Option<usize>,
    /// Interval length and measured window, for messages.
    pub interval_us: u64,
    pub window_us: u64,
    pub warmup_us: u64,
    /// Clock time of the start of the measured window (seconds after midnight).
    pub clock_start_s: Option<u64>,
    /// Whether `clock_start` is given (even if invalid).
    pub clock_start_given: bool,
}

/// Collects the problems found while reading the tree.
#[derive(Default)]
pub struct Checker {
    pub problems: Vec<Problem>,
    pub ctx: Context,
    /// Names seen so far in the lists being read (innermost last).
    seen: Vec<Seen>,
    /// Where queues name their skill: (path, name, id), for the check that some group holds it.
    pub skill_uses: Vec<(String, String, usize)>,
}

/// Names already used in one list, each with the path of the item where it first appeared.
struct Seen {
    what: &'static str,
    names: HashMap<String, String>,
}

impl Checker {
    pub fn with_context(ctx: Context) -> Checker {
        Checker {
            ctx,
            ..Checker::default()
        }
    }

    /// Records a problem. Whatever the message quotes from the file, it is
    /// shown escaped and bounded (names are already quoted and cut; this
    /// catches the rest).
    pub fn problem(&mut self, path: &str, message: impl Into<String>) {
        const MAX_PATH: usize = 400;
        const MAX_MESSAGE: usize = 1000;
        self.problems.push(Problem {
            path: crate::text::shown(path, MAX_PATH),
            message: crate::text::shown(&message.into(), MAX_MESSAGE),
        });
    }

    pub fn wrong_type(&mut self, node: &Node<'_>, expected: &str) {
        let got = describe(node.value);
        self.problem(&node.path, format!("expected {expected}, got {got}"));
    }

    /// An object with free-form keys.
    pub fn map<'a>(&mut self, node: &Node<'a>) -> Option<&'a Map<String, Value>> {
        match node.value {
            Value::Object(fields) => Some(fields),
            _ => {
                self.wrong_type(node, "an object");
                None
            }
        }
    }

    /// An object with the given fields only; each unknown field is a problem.
    pub fn object<'a>(&mut self, node: &Node<'a>, known: &[&str]) -> Option<Object<'a>> {
        let fields = self.map(node)?;
        for key in fields.keys() {
            if !known.contains(&key.as_str()) {
                let message = format!("unknown field (expected one of: {})", known.join(", "));
                self.problem(&join_key(&node.path, key), message);
            }
        }
        Some(Object {
            path: node.path.clone(),
            fields,
        })
    }

    /// The items of an array (non-empty when `non_empty`); `what` names one element.
    pub fn array<'a>(
        &mut self,
        node: &Node<'a>,
        what: &str,
        non_empty: bool,
    ) -> Option<Vec<Node<'a>>> {
        let Value::Array(items) = node.value else {
            self.wrong_type(node, &format!("an array of {}", plural(what)));
            return None;
        };
        if non_empty && items.is_empty() {
            self.problem(&node.path, format!("must list at least one {what}"));
            return None;
        }
        Some(
            items
                .iter()
                .enumerate()
                .map(|(i, value)| node.item(i, value))
                .collect(),
        )
    }

    pub fn string<'a>(&mut self, node: &Node<'a>) -> Option<&'a str> {
        match node.value {
            Value::String(s) => Some(s),
            _ => {
                self.wrong_type(node, "a string");
                None
            }
        }
    }

    /// Reads the items of a list whose elements carry unique names (see [`UniqueName`]).
    pub fn named_list<T>(
        &mut self,
        what: &'static str,
        read: impl FnOnce(&mut Checker) -> Option<T>,
    ) -> Option<T> {
        self.seen.push(Seen {
            what,
            names: HashMap::new(),
        });
        let out = read(self);
        self.seen.pop();
        out
    }

    /// Records `name`, the name of the list item at `item`; a repeat is a problem at `path`.
    fn check_unique(&mut self, name: &str, item: &str, path: &str) {
        let Some(seen) = self.seen.last_mut() else {
            return;
        };
        if let Some(first) = seen.names.get(name) {
            let message = format!("duplicate {} {} (also {first})", seen.what, quoted(name));
            self.problem(path, message);
        } else {
            seen.names.insert(name.to_string(), item.to_string());
        }
    }

    /// The id of skill `name`, referenced at `path`.
    pub fn resolve_skill(&mut self, name: &str, path: &str) -> Option<usize> {
        let skills = self.ctx.skills.as_ref()?;
        if let Some(&id) = skills.get(name) {
            return Some(id);
        }
        let names = self.ctx.skill_names.iter().map(String::as_str);
        let message = format!(
            "unknown skill {} (known skills: {})",
            quoted(name),
            crate::text::listing(names, 10)
        );
        self.problem(path, message);
        None
    }
}

fn plural(what: &str) -> String {
    match what.strip_suffix('y') {
        Some(stem) if !what.ends_with("ay") => format!("{stem}ies"),
        _ => format!("{what}s"),
    }
}

/// A JSON object whose field names have been checked.
pub struct Object<'a> {
    pub path: String,
    pub fields: &'a Map<String, Value>,
}

impl<'a> Object<'a> {
    /// Reads a required field, or records "missing field".
    pub fn required<T>(
        &self,
        ck: &mut Checker,
        name: &str,
        read: impl FnOnce(&mut Checker, &Node<'a>) -> Option<T>,
    ) -> Option<T> {
        let path = join_key(&self.path, name);
        match self.fields.get(name) {
            Some(value) => read(ck, &Node { path, value }),
            None => {
                ck.problem(&path, "missing field");
                None
            }
        }
    }

    /// Reads an optional field: `Some(None)` when absent or `null`.
    pub fn optional<T>(
        &self,
        ck: &mut Checker,
        name: &str,
        read: impl FnOnce(&mut Checker, &Node<'a>) -> Option<T>,
    ) -> Option<Option<T>> {
        match self.fields.get(name) {
            Some(value) if !value.is_null() => {
                let path = join_key(&self.path, name);
                read(ck, &Node { path, value }).map(Some)
            }
            _ => Some(None),
        }
    }

    /// Whether the field is present and not `null`.
    pub fn has(&self, name: &str) -> bool {
        self.fields.get(name).is_some_and(|v| !v.is_null())
    }
}

// ---------------------------------------------------------------------------
// Values of the format.

/// Named schema definitions (`$defs`) collected while describing the format.
#[derive(Debug, Default)]
pub struct Defs(pub BTreeMap<String, Value>);

impl Defs {
    /// A reference to definition `name`, built by `build` the first time.
    pub fn reference(&mut self, name: &str, build: impl FnOnce(&mut Defs) -> Value) -> Value {
        if !self.0.contains_key(name) {
            // Placeholder first, so a recursive type does not recurse forever.
            self.0.insert(name.to_string(), Value::Null);
            let schema = build(self);
            self.0.insert(name.to_string(), schema);
        }
        json!({ "$ref": format!("#/$defs/{name}") })
    }
}

/// A value a scenario file can hold: how to read it from the JSON tree
/// (recording every problem, `None` when unusable) and its JSON Schema.
pub trait FileValue: Sized {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self>;
    fn schema(defs: &mut Defs) -> Value;
    /// How one value is named in messages ("queue", "shift"...).
    fn what() -> &'static str {
        "value"
    }
}

/// Doc comment text as one paragraph per blank-line-separated block (the
/// line breaks of the source are only wrapping).
pub fn doc_text(raw: &str) -> String {
    let mut paragraphs: Vec<String> = vec![String::new()];
    for line in raw.lines().map(str::trim) {
        if line.is_empty() {
            if !paragraphs.last().is_some_and(String::is_empty) {
                paragraphs.push(String::new());
            }
            continue;
        }
        let p = paragraphs.last_mut().expect("one paragraph");
        if !p.is_empty() {
            p.push(' ');
        }
        p.push_str(line);
    }
    paragraphs.retain(|p| !p.is_empty());
    paragraphs.join("\n\n")
}

/// Adds a description to a schema (wrapping a `$ref` so editors show it).
pub fn described(schema: Value, description: &str) -> Value {
    if description.is_empty() {
        return schema;
    }
    let mut schema = schema;
    if let Value::Object(m) = &mut schema {
        if m.contains_key("$ref") {
            return json!({ "allOf": [schema], "description": description });
        }
        m.insert("description".into(), Value::from(description));
    }
    schema
}

/// Declares an object of the scenario format: the struct, its reader and its
/// JSON Schema, from one list of fields with their doc comments.
///
/// ```ignore
/// file_object! {
///     /// What the object is (the schema's description).
///     pub struct Thing ("thing") {
///         /// Required field.
///         req name: Name,
///         /// Optional field (`Option<T>` in the struct; absent or null is `None`).
///         opt count: u32,
///         /// A field whose JSON name is not an identifier.
///         opt schema_url as "$schema": String,
///     }
///     // Optional: a check across fields, run after every field was read
///     // (`value` is `None` when some field was unusable); false rejects.
///     check = |ck, obj, value| true;
///     // Optional: a change to the generated schema.
///     extra_schema = |schema| {};
/// }
/// ```
#[macro_export]
macro_rules! file_object {
    (
        $(#[doc = $sdoc:literal])*
        pub struct $name:ident ($what:literal) {
            $(
                $(#[doc = $fdoc:literal])*
                $kind:ident $field:ident $(as $json:literal)? : $ty:ty
            ),* $(,)?
        }
        $(check = $check:expr;)?
        $(extra_schema = $extra:expr;)?
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $(
                $(#[doc = $fdoc])*
                pub $field: $crate::file_object!(@type $kind $ty),
            )*
        }

        impl $name {
            /// The JSON names of the fields, in reading order.
            pub const FIELDS: &'static [&'static str] =
                &[$($crate::file_object!(@json $field $($json)?)),*];
        }

        impl $crate::scenario::read::FileValue for $name {
            #[allow(unused_variables)]
            fn read(
                ck: &mut $crate::scenario::read::Checker,
                node: &$crate::scenario::read::Node<'_>,
            ) -> Option<Self> {
                let obj = ck.object(node, Self::FIELDS)?;
                $(
                    let $field = $crate::file_object!(@read $kind obj ck
                        $crate::file_object!(@json $field $($json)?), $ty);
                )*
                #[allow(clippy::redundant_closure_call)]
                let value: Option<Self> = (move || Some($name { $($field: $field?,)* }))();
                $(
                    let check: fn(
                        &mut $crate::scenario::read::Checker,
                        &$crate::scenario::read::Object<'_>,
                        Option<&Self>,
                    ) -> bool = $check;
                    if !check(ck, &obj, value.as_ref()) {
                        return None;
                    }
                )?
                value
            }

            fn schema(defs: &mut $crate::scenario::read::Defs) -> serde_json::Value {
                defs.reference(stringify!($name), |defs| {
                    let mut properties = serde_json::Map::new();
                    #[allow(unused_mut)]
                    let mut required: Vec<&str> = Vec::new();
                    $(
                        let json_name = $crate::file_object!(@json $field $($json)?);
                        let doc = $crate::scenario::read::doc_text(concat!($($fdoc, "\n",)* ""));
                        properties.insert(
                            json_name.to_string(),
                            $crate::scenario::read::described(
                                <$ty as $crate::scenario::read::FileValue>::schema(defs),
                                &doc,
                            ),
                        );
                        $crate::file_object!(@required $kind required json_name);
                    )*
                    #[allow(unused_mut)]
                    let mut schema = serde_json::json!({
                        "type": "object",
                        "description": $crate::scenario::read::doc_text(concat!($($sdoc, "\n",)* "")),
                        "properties": properties,
                        "required": required,
                        "additionalProperties": false,
                    });
                    $( ($extra)(&mut schema); )?
                    schema
                })
            }

            fn what() -> &'static str {
                $what
            }
        }
    };
    (@type req $ty:ty) => { $ty };
    (@type opt $ty:ty) => { Option<$ty> };
    (@json $field:ident) => { stringify!($field) };
    (@json $field:ident $json:literal) => { $json };
    (@read req $obj:ident $ck:ident $name:expr, $ty:ty) => {
        $obj.required($ck, $name, <$ty as $crate::scenario::read::FileValue>::read)
    };
    (@read opt $obj:ident $ck:ident $name:expr, $ty:ty) => {
        $obj.optional($ck, $name, <$ty as $crate::scenario::read::FileValue>::read)
    };
    (@required req $required:ident $name:ident) => { $required.push($name) };
    (@required opt $required:ident $name:ident) => {};
}

/// The number as an exact integer, if it is one (huge values saturate).
pub fn integer_value(n: &Number) -> Option<i128> {
    if let Some(v) = n.as_i64() {
        return Some(v.into());
    }
    if let Some(v) = n.as_u64() {
        return Some(v.into());
    }
    let f = n.as_f64()?;
    // `as` saturates at the i128 bounds, which the range check then rejects.
    (f.is_finite() && f.fract() == 0.0).then_some(f as i128)
}

/// Reads an integer in `lo..=hi` (a number with a zero fraction, like `10.0`, counts).
pub fn read_integer(ck: &mut Checker, node: &Node<'_>, lo: i128, hi: i128) -> Option<i128> {
    let expected = match lo {
        0 => "a non-negative integer",
        1 => "a positive integer",
        _ => "an integer",
    };
    let value = match node.value {
        Value::Number(n) => integer_value(n),
        _ => None,
    };
    let got = describe(node.value);
    match value {
        None => ck.wrong_type(node, expected),
        Some(v) if v < lo && (lo == 0 || lo == 1) => ck.wrong_type(node, expected),
        Some(v) if v < lo => ck.problem(&node.path, format!("must be at least {lo}, got {got}")),
        Some(v) if v > hi => ck.problem(&node.path, format!("must be at most {hi}, got {got}")),
        Some(v) => return Some(v),
    }
    None
}

/// An integer of type `T` in `MIN..=MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounded<T, const MIN: i128, const MAX: i128>(pub T);

impl<T, const MIN: i128, const MAX: i128> FileValue for Bounded<T, MIN, MAX>
where
    T: TryFrom<i128>,
{
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        let v = read_integer(ck, node, MIN, MAX)?;
        T::try_from(v).ok().map(Bounded)
    }

    fn schema(_: &mut Defs) -> Value {
        let mut s = json!({ "type": "integer", "minimum": MIN as f64 });
        // Bounds beyond f64's exact range are shown approximately; the reader is exact.
        s["maximum"] = json!(MAX as f64);
        if MIN >= i64::MIN as i128 && MAX <= u64::MAX as i128 {
            s["minimum"] = json!(MIN as i64);
            if MAX <= i64::MAX as i128 {
                s["maximum"] = json!(MAX as i64);
            } else {
                s["maximum"] = json!(MAX as u64);
            }
        }
        s
    }
}

/// true or false.
impl FileValue for bool {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        match node.value {
            Value::Bool(b) => Some(*b),
            _ => {
                ck.wrong_type(node, "true or false");
                None
            }
        }
    }
    fn schema(_: &mut Defs) -> Value {
        json!({ "type": "boolean" })
    }
}

/// Any string.
impl FileValue for String {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        ck.string(node).map(str::to_string)
    }
    fn schema(_: &mut Defs) -> Value {
        json!({ "type": "string" })
    }
}

/// A non-blank string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(pub String);

impl FileValue for Name {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        let s = ck.string(node)?;
        if s.trim().is_empty() {
            ck.problem(&node.path, "must not be empty");
            return None;
        }
        Some(Name(s.to_string()))
    }
    fn schema(_: &mut Defs) -> Value {
        json!({ "type": "string", "minLength": 1, "pattern": "\\S" })
    }
}

/// A non-blank string unique in its list (the list is read through [`Checker::named_list`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueName(pub String);

impl FileValue for UniqueName {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        let Name(name) = Name::read(ck, node)?;
        // The item is the object holding this name (`queues[1]` for `queues[1].name`),
        // or the name itself in a list of names (`skills[1]`).
        let item = node
            .path
            .strip_suffix(".name")
            .unwrap_or(&node.path)
            .to_string();
        ck.check_unique(&name, &item, &node.path);
        Some(UniqueName(name))
    }
    fn schema(defs: &mut Defs) -> Value {
        Name::schema(defs)
    }
    fn what() -> &'static str {
        "skill"
    }
}

/// A list, possibly empty.
impl<T: FileValue> FileValue for Vec<T> {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        read_items(ck, node, false)
    }
    fn schema(defs: &mut Defs) -> Value {
        json!({ "type": "array", "items": T::schema(defs) })
    }
}

fn read_items<T: FileValue>(ck: &mut Checker, node: &Node<'_>, non_empty: bool) -> Option<Vec<T>> {
    let items = ck.array(node, T::what(), non_empty)?;
    let read: Vec<Option<T>> = items.iter().map(|item| T::read(ck, item)).collect();
    read.into_iter().collect()
}

/// A list of at least one element.
#[derive(Debug, Clone, PartialEq)]
pub struct NonEmpty<T>(pub Vec<T>);

impl<T: FileValue> FileValue for NonEmpty<T> {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        read_items(ck, node, true).map(NonEmpty)
    }
    fn schema(defs: &mut Defs) -> Value {
        json!({ "type": "array", "items": T::schema(defs), "minItems": 1 })
    }
}

/// A list of named items (`queues`, `agent_groups`): at least one, names unique.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedList<T>(pub Vec<T>);

impl<T: FileValue> FileValue for NamedList<T> {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        let what: &'static str = match T::what() {
            "skill" => "skill",
            "queue" => "queue name",
            "agent group" => "agent group name",
            other => other,
        };
        ck.named_list(what, |ck| read_items(ck, node, true).map(NamedList))
    }
    fn schema(defs: &mut Defs) -> Value {
        NonEmpty::<T>::schema(defs)
    }
    fn what() -> &'static str {
        T::what()
    }
}

/// A list of named items that may be empty (`campaigns`): names unique.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedItems<T>(pub Vec<T>);

impl<T: FileValue> FileValue for NamedItems<T> {
    fn read(ck: &mut Checker, node: &Node<'_>) -> Option<Self> {
        ck.named_list(T::what(), |ck| read_items(ck, node, false).map(NamedItems))
    }
    fn schema(defs: &mut Defs) -> Value {
        json!({ "type": "array", "items": T::schema(defs) })
    }
    fn what() -> &'static str {
        T::what()
    }
}

/// A choice among named values (`"longest_idle"`...), each with its meaning.
pub trait Choice: Copy + 'static {
    /// What the choice is, in messages ("agent selection").
    const WHAT: &'static str;
    /// (name in the file, value, meaning).
    const ALL: &'static [(&'static str, Self, &'static str)];
}

/// Reads one of the names of a [`Choice`].
pub fn read_choice<T: Choice>(ck: &mut Checker, node: &Node<'_>) -> Option<T> {
    let names: Vec<&str> = T::ALL.iter().map(|&(name, _, _)| name).collect();
    let names = names.join(", ");
    let Value::String(s) = node.value else {
        ck.wrong_type(node, &format!("one of: {names}"));
        return None;
    };
    match T::ALL.iter().find(|(name, _, _)| name == s) {
        Some(&(_, value, _)) => Some(value),
        None => {
            let message = format!(
                "unknown {} {} (expected one of: {names})",
                T::WHAT,
                quoted(s)
            );
            ck.problem(&node.path, message);
            None
        }
    }
}

/// The schema of a [`Choice`]: one constant per name, with its meaning.
pub fn choice_schema<T: Choice>() -> Value {
    let one_of: Vec<Value> = T::ALL
        .iter()
        .map(|&(name, _, doc)| json!({ "const": name, "description": doc }))
        .collect();
    json!({ "type": "string", "oneOf": one_of })
}

/// Implements [`FileValue`] for a [`Choice`].
#[macro_export]
macro_rules! file_choice {
    ($t:ty) => {
        impl $crate::scenario::read::FileValue for $t {
            fn read(
                ck: &mut $crate::scenario::read::Checker,
                node: &$crate::scenario::read::Node<'_>,
            ) -> Option<Self> {
                $crate::scenario::read::read_choice(ck, node)
            }
            fn schema(_: &mut $crate::scenario::read::Defs) -> serde_json::Value {
                $crate::scenario::read::choice_schema::<$t>()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::file_object! {
        /// A test object.
        pub struct Thing ("thing") {
            /// Its name.
            req name: UniqueName,
            /// How many.
            opt count: Bounded<u32, 0, 10>,
            /// Where its schema is.
            opt schema_url as "$schema": String,
        }
    }

    fn read<T: FileValue>(v: Value) -> (Option<T>, Vec<String>) {
        let mut ck = Checker::default();
        let out = T::read(&mut ck, &Node::root(&v));
        (out, ck.problems.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn objects_read_every_field_and_name_every_problem() {
        let (t, p) = read::<Thing>(json!({ "name": "a", "count": 3, "$schema": "x" }));
        assert_eq!(p, Vec::<String>::new());
        let t = t.unwrap();
        assert_eq!(
            (t.name.0.as_str(), t.count.map(|c| c.0), t.schema_url),
            ("a", Some(3), Some("x".into()))
        );
        let (t, p) = read::<Thing>(json!({ "count": 11, "colour": 1 }));
        assert!(t.is_none());
        assert_eq!(
            p,
            [
                "colour: unknown field (expected one of: name, count, $schema)",
                "name: missing field",
                "count: must be at most 10, got 11",
            ]
        );
    }

    #[test]
    fn named_lists_report_duplicates_with_the_first_place() {
        let (_, p) =
            read::<NamedList<Thing>>(json!([{ "name": "a" }, { "name": "b" }, { "name": "a" }]));
        assert_eq!(p, [r#"[2].name: duplicate thing "a" (also [0])"#]);
        let (_, p) = read::<NamedList<Thing>>(json!([]));
        assert_eq!(p, ["(top level): must list at least one thing"]);
        let (_, p) = read::<NamedList<Thing>>(json!({}));
        assert_eq!(
            p,
            ["(top level): expected an array of things, got an object"]
        );
    }

    #[test]
    fn the_schema_comes_from_the_same_declaration() {
        let mut defs = Defs::default();
        let r = Thing::schema(&mut defs);
        assert_eq!(r, json!({ "$ref": "#/$defs/Thing" }));
        let s = &defs.0["Thing"];
        assert_eq!(s["description"], "A test object.");
        assert_eq!(s["required"], json!(["name"]));
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(s["properties"]["count"]["maximum"], 10);
        assert_eq!(s["properties"]["count"]["description"], "How many.");
        assert_eq!(s["properties"]["$schema"]["type"], "string");
        assert_eq!(Thing::FIELDS, ["name", "count", "$schema"]);
    }

    #[test]
    fn plurals_read_naturally() {
        assert_eq!(plural("queue"), "queues");
        assert_eq!(plural("skill"), "skills");
        assert_eq!(plural("day"), "days");
        assert_eq!(plural("entry"), "entries");
    }
}
