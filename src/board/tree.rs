//! The organisation tree as the board shows it: the city platform, its districts, their streets
//! and communities, and a department group under each platform. Each node covers a contiguous
//! range of unit positions in the [`Model`], so its counts are a sum over that range.

use std::collections::HashSet;
use std::ops::Range;

use super::model::{Model, UnitSlot};
use crate::domain::org::Level;

/// What a tree node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A unit (position in the model).
    Unit(u32),
    /// The departments of a platform (the platform's position).
    Departments(u32),
}

/// One node of the tree.
#[derive(Debug, Clone)]
pub struct TreeNode {
    /// What it stands for.
    pub kind: NodeKind,
    /// Indentation depth.
    pub depth: u16,
    /// The unit positions it covers.
    pub units: Range<u32>,
    /// One past the last node of its subtree.
    end: usize,
    /// True for streets and communities, which the department view hides.
    local: bool,
}

impl TreeNode {
    /// True when the node has children.
    pub fn has_children(&self, me: usize) -> bool {
        self.end > me + 1
    }
}

/// The whole tree with what is expanded.
#[derive(Debug, Clone)]
pub struct OrgTree {
    nodes: Vec<TreeNode>,
    expanded: HashSet<usize>,
}

impl OrgTree {
    /// Builds the tree over the model's units; the city and `open_unit`'s ancestors start expanded.
    pub fn new(model: &Model) -> OrgTree {
        let units = model.units();
        let mut nodes: Vec<TreeNode> = Vec::with_capacity(units.len() + 12);
        let mut depth_of = vec![0u16; units.len()];
        for (i, u) in units.iter().enumerate() {
            let i = i as u32;
            let parent = u.parent.map(|p| &units[p as usize]);
            let mut depth = parent.map_or(0, |_| depth_of[parent_pos(u)] + 1);
            if let (Some(p), Level::Department) = (parent, u.level) {
                if p.departments == i {
                    nodes.push(TreeNode {
                        kind: NodeKind::Departments(parent_pos(u) as u32),
                        depth,
                        units: p.departments..p.end,
                        end: 0,
                        local: false,
                    });
                }
                depth += 1;
            }
            depth_of[i as usize] = depth;
            nodes.push(TreeNode {
                kind: NodeKind::Unit(i),
                depth,
                units: i..u.end,
                end: 0,
                local: matches!(u.level, Level::Street | Level::Community),
            });
        }
        for i in 0..nodes.len() {
            let d = nodes[i].depth;
            let end = (i + 1..nodes.len())
                .find(|&j| nodes[j].depth <= d)
                .unwrap_or(nodes.len());
            nodes[i].end = end;
        }
        let mut tree = OrgTree {
            nodes,
            expanded: HashSet::new(),
        };
        tree.expanded.insert(0);
        tree
    }

    /// Every node.
    pub fn nodes(&self) -> &[TreeNode] {
        &self.nodes
    }

    /// The nodes shown, in order: those whose ancestors are all expanded (the department view
    /// hides streets and communities).
    pub fn visible(&self, departments_only: bool) -> Vec<usize> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.nodes.len() {
            let n = &self.nodes[i];
            if departments_only && n.local {
                i = n.end;
                continue;
            }
            out.push(i);
            i = if self.expanded.contains(&i) {
                i + 1
            } else {
                n.end
            };
        }
        out
    }

    /// True when a node is expanded.
    pub fn is_expanded(&self, node: usize) -> bool {
        self.expanded.contains(&node)
    }

    /// Expands or collapses a node.
    pub fn set_expanded(&mut self, node: usize, open: bool) {
        if open {
            self.expanded.insert(node);
        } else {
            self.expanded.remove(&node);
        }
    }

    /// The parent node.
    pub fn parent(&self, node: usize) -> Option<usize> {
        let d = self.nodes.get(node)?.depth;
        (0..node).rev().find(|&j| self.nodes[j].depth < d)
    }

    /// The node of a unit.
    pub fn node_of_unit(&self, unit: u32) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| n.kind == NodeKind::Unit(unit))
    }

    /// Expands every ancestor of a node so it is visible.
    pub fn reveal(&mut self, node: usize) {
        let mut cur = self.parent(node);
        while let Some(p) = cur {
            self.expanded.insert(p);
            cur = self.parent(p);
        }
    }
}

fn parent_pos(u: &UnitSlot) -> usize {
    u.parent.unwrap_or(0) as usize
}
