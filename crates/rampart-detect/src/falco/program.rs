//! A compiled condition laid out for evaluation: a branch program. Each field test is a
//! node with two successors, one for each outcome, so a condition evaluates as a loop over
//! a flat array instead of a walk over nested `and`/`or`/`not` vectors:
//!
//! - `a and b`: `a` goes to `b` when true, to the condition's false exit when false;
//! - `a or b`: `a` goes to the true exit when true, to `b` when false;
//! - `not a`: `a`'s exits swapped;
//! - constants are edges, not nodes.
//!
//! Every test appears once (successors are indices, so nothing is copied), every edge goes
//! forward, and the nodes are stored in the order a left-to-right evaluation meets them.
//! The condition's tree shape is kept beside them, with leaves pointing at the nodes: the
//! reference evaluation ([`Program::eval_reference`]) walks that tree, so tests compare the
//! two layouts as well as the typed and generic field readers.

use super::compile::{Check, ContainsAny, Matcher, NO_MEMO};
use super::fast::Ctx;
use crate::event::Event;

/// Successor meaning "the condition is true".
const TRUE: u32 = u32::MAX;
/// Successor meaning "the condition is false".
const FALSE: u32 = u32::MAX - 1;

/// One field test of a condition. Checks are stored inline, in evaluation order, so that
/// a condition's tests are read from consecutive memory (hence the large variant: boxing
/// the checks put each one behind a cache miss, which cost ~12% of the engine's time).
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(super) enum Leaf {
    /// One compiled check.
    Check(Check),
    /// Several substrings of one field, one automaton.
    Any(Box<ContainsAny>),
}

impl Leaf {
    #[inline]
    fn eval_uncached(&self, cx: &Ctx<'_>) -> bool {
        match self {
            Leaf::Check(c) => c.eval_uncached(cx),
            Leaf::Any(a) => a.eval(cx),
        }
    }

    fn eval_reference(&self, ev: &Event) -> bool {
        match self {
            Leaf::Check(c) => c.eval_generic(ev, true),
            Leaf::Any(a) => a.eval_reference(ev),
        }
    }
}

/// A test's successors, and its slot in the per-event memo ([`NO_MEMO`]: none) copied from
/// its check, so that a test another rule already evaluated for this event is answered
/// without reading the check.
#[derive(Debug, Clone, Copy)]
struct Node {
    on_true: u32,
    on_false: u32,
    memo: u32,
}

/// The condition's tree, its leaves indices into [`Program::nodes`].
#[derive(Debug)]
enum Shape {
    And(Vec<Shape>),
    Or(Vec<Shape>),
    Not(Box<Shape>),
    Const(bool),
    Leaf(u32),
}

/// The values a condition requires of a field, with the field's cache slot (see
/// [`Program::required_values`]).
pub(super) type Required = Option<(Vec<String>, u32)>;

/// A condition as a branch program (see the module documentation).
#[derive(Debug)]
pub struct Program {
    /// Node `i` tests `leaves[i]`.
    nodes: Vec<Node>,
    leaves: Vec<Leaf>,
    entry: u32,
    shape: Shape,
}

/// Moves the leaves of `m` into `leaves`, leaving their indices in the shape.
fn split(m: Matcher, leaves: &mut Vec<Leaf>) -> Shape {
    let mut leaf = |l: Leaf| {
        leaves.push(l);
        Shape::Leaf(leaves.len() as u32 - 1)
    };
    match m {
        Matcher::Check(c) => leaf(Leaf::Check(*c)),
        Matcher::ContainsAny(a) => leaf(Leaf::Any(a)),
        Matcher::Const(b) => Shape::Const(b),
        Matcher::Not(inner) => Shape::Not(Box::new(split(*inner, leaves))),
        Matcher::And(items) => Shape::And(items.into_iter().map(|m| split(m, leaves)).collect()),
        Matcher::Or(items) => Shape::Or(items.into_iter().map(|m| split(m, leaves)).collect()),
    }
}

/// Appends the nodes of `shape` with exits `t` and `f` to `out` (as leaf, on-true,
/// on-false; in reverse evaluation order, so that every successor already exists) and
/// returns its entry.
fn emit(shape: &Shape, t: u32, f: u32, out: &mut Vec<(u32, u32, u32)>) -> u32 {
    match shape {
        Shape::Const(true) => t,
        Shape::Const(false) => f,
        Shape::Not(inner) => emit(inner, f, t, out),
        Shape::And(items) => items
            .iter()
            .rev()
            .fold(t, |next, item| emit(item, next, f, out)),
        Shape::Or(items) => items
            .iter()
            .rev()
            .fold(f, |next, item| emit(item, t, next, out)),
        Shape::Leaf(i) => {
            out.push((*i, t, f));
            out.len() as u32 - 1
        }
    }
}

fn renumber(shape: &mut Shape, node_of_leaf: &[u32]) {
    match shape {
        Shape::Leaf(i) => *i = node_of_leaf[*i as usize],
        Shape::Not(inner) => renumber(inner, node_of_leaf),
        Shape::And(items) | Shape::Or(items) => {
            items.iter_mut().for_each(|s| renumber(s, node_of_leaf));
        }
        Shape::Const(_) => {}
    }
}

impl Program {
    /// Lays out a compiled condition.
    pub fn new(m: Matcher) -> Program {
        let mut leaves = Vec::new();
        let mut shape = split(m, &mut leaves);
        let mut order = Vec::with_capacity(leaves.len());
        let entry = emit(&shape, TRUE, FALSE, &mut order);
        // Reverse the emission order: evaluation order, edges forward.
        let n = order.len() as u32;
        let flip = |x: u32| if x < n { n - 1 - x } else { x };
        let mut node_of_leaf = vec![0; leaves.len()];
        let mut slots: Vec<Option<Leaf>> = leaves.into_iter().map(Some).collect();
        let mut nodes = Vec::with_capacity(order.len());
        let mut ordered = Vec::with_capacity(order.len());
        for (k, &(leaf, t, f)) in order.iter().enumerate().rev() {
            node_of_leaf[leaf as usize] = flip(k as u32);
            if let Some(l) = slots[leaf as usize].take() {
                nodes.push(Node {
                    on_true: flip(t),
                    on_false: flip(f),
                    memo: match &l {
                        Leaf::Check(c) => c.memo(),
                        Leaf::Any(_) => NO_MEMO,
                    },
                });
                ordered.push(l);
            }
        }
        renumber(&mut shape, &node_of_leaf);
        Program {
            nodes,
            leaves: ordered,
            entry: flip(entry),
            shape,
        }
    }

    /// Evaluates the condition in `cx`.
    #[inline]
    pub fn eval_ctx(&self, cx: &Ctx<'_>) -> bool {
        let mut pc = self.entry as usize;
        while let (Some(n), Some(leaf)) = (self.nodes.get(pc), self.leaves.get(pc)) {
            let hit = if n.memo == NO_MEMO {
                leaf.eval_uncached(cx)
            } else if let Some(v) = cx.memo_get(n.memo) {
                v
            } else {
                let v = leaf.eval_uncached(cx);
                cx.memo_set(n.memo, v);
                v
            };
            pc = if hit { n.on_true } else { n.on_false } as usize;
        }
        pc == TRUE as usize
    }

    /// Evaluates the condition on `ev`.
    pub fn eval(&self, ev: &Event) -> bool {
        self.eval_ctx(&Ctx::new(ev))
    }

    /// The same condition evaluated by walking its tree, each test through generic field
    /// extraction only (no typed readers, compiled string tables or memo): the reference
    /// the branch program is tested against.
    pub fn eval_reference(&self, ev: &Event) -> bool {
        self.shape_reference(&self.shape, ev)
    }

    fn shape_reference(&self, s: &Shape, ev: &Event) -> bool {
        match s {
            Shape::And(items) => items.iter().all(|s| self.shape_reference(s, ev)),
            Shape::Or(items) => items.iter().any(|s| self.shape_reference(s, ev)),
            Shape::Not(inner) => !self.shape_reference(inner, ev),
            Shape::Const(b) => *b,
            Shape::Leaf(i) => self
                .leaves
                .get(*i as usize)
                .is_some_and(|l| l.eval_reference(ev)),
        }
    }

    /// Visits every check (and refreshes the memo slots the nodes carry).
    pub(super) fn checks_mut(&mut self, f: &mut dyn FnMut(&mut Check)) {
        for (n, l) in self.nodes.iter_mut().zip(&mut self.leaves) {
            if let Leaf::Check(c) = l {
                f(c);
                n.memo = c.memo();
            }
        }
    }

    /// What a condition requires of one field, from `of` (what a single check requires,
    /// with the field's cache slot): the first top-level conjunct that `of` answers, where
    /// an `or` of such tests requires the union of their values, and an `and` inside one
    /// requires what any of its conjuncts requires. `None`: no requirement found.
    pub(super) fn required_values(&self, of: &dyn Fn(&Check) -> Required) -> Required {
        fn walk(p: &Program, s: &Shape, of: &dyn Fn(&Check) -> Required) -> Required {
            match s {
                Shape::Leaf(i) => match p.leaves.get(*i as usize)? {
                    Leaf::Check(c) => of(c),
                    Leaf::Any(_) => None,
                },
                Shape::Or(items) => {
                    let mut values = Vec::new();
                    let mut slot = NO_MEMO;
                    for item in items {
                        let (v, sl) = walk(p, item, of)?;
                        values.extend(v);
                        slot = sl;
                    }
                    (!values.is_empty()).then_some((values, slot))
                }
                Shape::And(items) => items.iter().find_map(|i| walk(p, i, of)),
                Shape::Not(_) | Shape::Const(_) => None,
            }
        }
        walk(self, &self.shape, of)
    }

    /// Whether the condition is a constant (no field test).
    pub fn is_constant(&self) -> bool {
        self.nodes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, EventType, Fd, Process};
    use crate::falco::compile::{Missing, compile};
    use crate::falco::condition::parse as parse_condition;

    fn both(cond: &str) -> (Matcher, Program) {
        let parse = || {
            let expr = parse_condition(cond).expect("condition parses");
            compile(
                crate::event::Source::Syscall,
                &expr,
                &mut Missing::default(),
            )
            .expect("condition compiles")
        };
        (parse(), Program::new(parse()))
    }

    fn events() -> Vec<Event> {
        let mut out = Vec::new();
        for (i, name) in ["bash", "cat", "nginx", "sshd"].iter().enumerate() {
            for file in ["/etc/shadow", "/tmp/x", "/usr/bin/ls", ""] {
                for ty in [EventType::Openat, EventType::Execve, EventType::Connect] {
                    let mut ev = Event {
                        evt_type: ty,
                        ..Event::default()
                    };
                    ev.proc = Process {
                        name: name.to_string(),
                        pid: i as i64,
                        ..Process::default()
                    };
                    if !file.is_empty() {
                        ev.fd = Some(Fd {
                            name: file.into(),
                            ..Fd::default()
                        });
                    }
                    out.push(ev);
                }
            }
        }
        out
    }

    /// The compiled tree evaluated by plain recursion (no memo), the layout-independent
    /// answer the branch program must give.
    fn tree_eval(m: &Matcher, cx: &Ctx<'_>) -> bool {
        match m {
            Matcher::And(items) => items.iter().all(|m| tree_eval(m, cx)),
            Matcher::Or(items) => items.iter().any(|m| tree_eval(m, cx)),
            Matcher::Not(m) => !tree_eval(m, cx),
            Matcher::Const(b) => *b,
            Matcher::Check(c) => c.eval_uncached(cx),
            Matcher::ContainsAny(a) => a.eval(cx),
        }
    }

    /// The branch program, the tree it came from and the reference walk agree on every
    /// combination of outcomes these conditions can reach.
    #[test]
    fn program_agrees_with_the_tree() {
        let conds = [
            "proc.name = bash",
            "not proc.name = bash",
            "proc.name = bash and fd.name = /etc/shadow",
            "proc.name = bash or fd.name = /etc/shadow",
            "not (proc.name = bash or fd.name startswith /usr)",
            "(proc.name in (bash, cat) or evt.type = connect) and not (fd.name = /tmp/x and proc.pid = 1)",
            "evt.type = openat and (fd.name contains sh or fd.name contains bin or fd.name contains tmp or proc.name = sshd)",
            "not (not proc.name = cat and (fd.name exists or not evt.type in (execve, connect)))",
            "proc.name = nginx or (proc.name = cat and not fd.name exists) or proc.pid > 2",
        ];
        let evs = events();
        for cond in conds {
            let (tree, prog) = both(cond);
            let mut hits = 0;
            for ev in &evs {
                let want = tree_eval(&tree, &Ctx::new(ev));
                assert_eq!(prog.eval(ev), want, "{cond} on {ev:?}");
                assert_eq!(
                    prog.eval_reference(ev),
                    want,
                    "{cond} (reference) on {ev:?}"
                );
                hits += usize::from(want);
            }
            // Every condition is true on some events and false on others.
            assert!(
                hits > 0 && hits < evs.len(),
                "{cond}: {hits} of {}",
                evs.len()
            );
        }
    }

    #[test]
    fn constants_are_edges() {
        let p = Program::new(Matcher::Const(true));
        assert!(p.is_constant());
        assert!(p.eval(&Event::default()));
        let p = Program::new(Matcher::Not(Box::new(Matcher::Const(true))));
        assert!(!p.eval(&Event::default()));
    }
}
