//! A map from names to values kept as one sorted vector, searched by halves. The export builds
//! its maps in name order or in one layer at a time, then only looks names up and walks them in
//! order: a tree or a hash map (SipHash per name) cost more than the search, and a vector grown
//! in one piece costs no allocation per name. Used for the wanted variables
//! ([`crate::wanted::Vars`]) and the names hfenv manages ([`crate::session::marker::Managed`]).

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sorted<'a, V>(Vec<(Cow<'a, str>, V)>);

impl<V> Default for Sorted<'_, V> {
    fn default() -> Self {
        Sorted(Vec::new())
    }
}

impl<'a, V> Sorted<'a, V> {
    /// Room for `n` names at once: grown one push at a time, a list of 10,000 names was
    /// copied over and over (a sixth of a large export's page faults).
    pub(crate) fn with_capacity(n: usize) -> Self {
        Sorted(Vec::with_capacity(n))
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_ref().cmp(name))
    }

    pub(crate) fn get(&self, name: &str) -> Option<&V> {
        self.position(name).ok().map(|i| &self.0[i].1)
    }

    pub(crate) fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    /// Sets `name`, replacing what was there; a name after all others is a push.
    pub(crate) fn insert(&mut self, name: impl Into<Cow<'a, str>>, value: V) {
        let name = name.into();
        if self.0.last().is_none_or(|(last, _)| *last < name) {
            self.0.push((name, value));
            return;
        }
        match self.position(&name) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (name, value)),
        }
    }

    /// Adds a layer at once; where a name is already there, or given twice, the one added last
    /// wins (as a map filled in order would keep it).
    pub(crate) fn layer(&mut self, layer: impl IntoIterator<Item = (Cow<'a, str>, V)>) {
        let layer = layer.into_iter();
        // Room for all at once (a refusing filter's lower bound is 0), so nothing is copied
        // while it grows.
        self.0.reserve(layer.size_hint().1.unwrap_or(0));
        self.0.extend(layer);
        if !self.0.is_sorted_by(|a, b| a.0 <= b.0) {
            // Stable, so of two equal names the one added later comes second…
            self.0.sort_by(|a, b| a.0.cmp(&b.0));
        }
        // …and is the one kept, moved into the first one's place.
        self.0.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                std::mem::swap(later, earlier);
            }
            same
        });
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Name and value, in the order of names.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Cow<'a, str>, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }
}

impl<'a, V> FromIterator<(Cow<'a, str>, V)> for Sorted<'a, V> {
    fn from_iter<I: IntoIterator<Item = (Cow<'a, str>, V)>>(iter: I) -> Self {
        let mut map = Sorted::default();
        map.layer(iter);
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_value_given_for_a_name_is_kept_in_any_order() {
        let mut m: Sorted<u32> = [("b", 1), ("a", 2), ("b", 3)]
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect();
        assert_eq!(m.get("b"), Some(&3));
        m.layer([(Cow::Borrowed("a"), 4), (Cow::Borrowed("c"), 5)]);
        m.insert("d", 6);
        m.insert("0", 7);
        m.insert("c", 8);
        let all: Vec<(&str, u32)> = m.iter().map(|(k, v)| (k.as_ref(), *v)).collect();
        assert_eq!(all, [("0", 7), ("a", 4), ("b", 3), ("c", 8), ("d", 6)]);
        assert!(m.contains_key("d") && !m.contains_key("e"));
        assert_eq!(m.keys().collect::<Vec<_>>(), ["0", "a", "b", "c", "d"]);
    }
}
