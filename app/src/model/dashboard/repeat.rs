//! Grafana's repeats: a panel or row with `repeat: "var"` is drawn once per selected value of
//! the variable (every option when All is selected), each copy seeing that one value in its
//! queries and title. Copies of a panel sit side by side (`repeatDirection: "h"`, at most
//! `maxPerRow` to a line, 4 by default) or stacked (`"v"`); a row is copied with its panels below
//! it. What follows is pushed down by the height the copies add, as Grafana lays them out.
//! The first copy keeps the original ids; the others take ids above the dashboard's highest, in
//! order, so the same variables always give the same ids (a panel is found again by id).

use super::vars::{interpolate, Scope, ScopeValue};
use super::{Dashboard, Panel, PanelKind};
use std::borrow::Cow;

const COLUMNS: u32 = 24;

/// `d` with its repeats expanded for the variable values in `scope`; `d` itself, uncopied, when
/// nothing repeats (every dashboard request passes here).
pub fn expand<'d>(d: &'d Dashboard, scope: &Scope) -> Cow<'d, Dashboard> {
    if !d.all_panels().iter().any(|p| p.repeat.is_some()) {
        return Cow::Borrowed(d);
    }
    let mut out = d.clone();
    let mut next_id = d.all_panels().iter().map(|p| p.id).max().unwrap_or(0) + 1;
    out.panels = expand_rows(std::mem::take(&mut out.panels), scope, &mut next_id);
    out.panels = expand_panels(std::mem::take(&mut out.panels), scope, &mut next_id);
    for row in out.panels.iter_mut().filter(|p| p.kind == PanelKind::Row) {
        let children = std::mem::take(&mut row.children);
        row.children = expand_panels(children, scope, &mut next_id);
    }
    Cow::Owned(out)
}

/// The values a repeat by `var` makes copies for; `None` when there is no such variable or it
/// has no values (then the panel is shown once and says so).
fn values<'s>(scope: &'s Scope, var: &str) -> Option<&'s [String]> {
    scope
        .get(var)
        .map(|v| v.values.as_slice())
        .filter(|v| !v.is_empty())
}

/// The scope a copy's queries see: the dashboard's, with its repeat variable set to one value.
pub fn scope_for(scope: &Scope, p: &Panel) -> Scope {
    let mut s = scope.clone();
    if let Some((var, value)) = &p.repeat_value {
        s.insert(var.clone(), ScopeValue::single(value.clone()));
    }
    s
}

/// One copy of `p` for `value` of `var`: the value in its title and in its (and its children's)
/// queries; ids renewed unless `keep_ids`.
fn copy(p: &Panel, var: &str, value: &str, keep_ids: bool, next_id: &mut u32) -> Panel {
    let mut c = p.clone();
    // Expanded now; a panel of a repeated row may still repeat by a variable of its own.
    if c.repeat.as_deref() == Some(var) {
        c.repeat = None;
    }
    stamp(&mut c, var, value);
    if !keep_ids {
        c.id = take(next_id);
    }
    for child in &mut c.children {
        stamp(child, var, value);
        if !keep_ids {
            child.id = take(next_id);
        }
    }
    c
}

fn stamp(p: &mut Panel, var: &str, value: &str) {
    let mut one = Scope::new();
    one.insert(var.to_string(), ScopeValue::single(value));
    p.title = interpolate(&p.title, &one);
    p.repeat_value = Some((var.to_string(), value.to_string()));
}

fn take(next_id: &mut u32) -> u32 {
    let id = *next_id;
    *next_id += 1;
    id
}

fn bottom(panels: &[Panel]) -> u32 {
    panels
        .iter()
        .map(|p| p.grid.y + p.grid.h)
        .max()
        .unwrap_or(0)
}

/// Row repeats: each repeated row with the panels of its section (the ones after it up to the
/// next row, or its children when collapsed) once per value, copies below the original.
fn expand_rows(panels: Vec<Panel>, scope: &Scope, next_id: &mut u32) -> Vec<Panel> {
    let mut out: Vec<Panel> = Vec::new();
    let mut shift = 0;
    let mut rest = panels.into_iter().peekable();
    while let Some(mut row) = rest.next() {
        shift_down(&mut row, shift);
        if row.kind != PanelKind::Row {
            out.push(row);
            continue;
        }
        let mut section = Vec::new();
        while let Some(mut p) = rest.next_if(|p| p.kind != PanelKind::Row) {
            shift_down(&mut p, shift);
            section.push(p);
        }
        let repeat = row
            .repeat
            .clone()
            .and_then(|var| values(scope, &var).map(|v| (var, v)));
        let Some((var, vals)) = repeat else {
            out.push(row);
            out.extend(section);
            continue;
        };
        let height = bottom(&section).max(row.grid.y + row.grid.h) - row.grid.y;
        for (k, value) in vals.iter().enumerate() {
            let offset = k as u32 * height;
            for p in std::iter::once(&row).chain(&section) {
                let mut c = copy(p, &var, value, k == 0, next_id);
                shift_down(&mut c, offset);
                out.push(c);
            }
        }
        shift += (vals.len() as u32 - 1) * height;
    }
    out
}

/// Moves a panel (and a collapsed row's children with it) down by `by` grid lines.
fn shift_down(p: &mut Panel, by: u32) {
    p.grid.y += by;
    for child in &mut p.children {
        child.grid.y += by;
    }
}

/// Panel repeats within one list (the dashboard's, or a collapsed row's children): copies right
/// after the original, everything below pushed down by the lines they add.
fn expand_panels(panels: Vec<Panel>, scope: &Scope, next_id: &mut u32) -> Vec<Panel> {
    let mut out: Vec<Panel> = Vec::new();
    // (from this y on, push down by) for each expansion so far.
    let mut pushes: Vec<(u32, u32)> = Vec::new();
    for mut p in panels {
        let original_y = p.grid.y;
        p.grid.y += pushes
            .iter()
            .filter(|(from, _)| original_y >= *from)
            .map(|(_, by)| by)
            .sum::<u32>();
        let repeat = match (&p.repeat, p.kind) {
            (Some(var), kind) if kind != PanelKind::Row => {
                values(scope, var).map(|v| (var.clone(), v))
            }
            _ => None,
        };
        let Some((var, vals)) = repeat else {
            out.push(p);
            continue;
        };
        let n = vals.len() as u32;
        let (w, per_line) = if p.repeat_vertical {
            (p.grid.w, 1)
        } else {
            let per_line = n.min(p.max_per_row.unwrap_or(4).max(1));
            (COLUMNS / per_line, per_line)
        };
        let lines = n.div_ceil(per_line);
        for (k, value) in vals.iter().enumerate() {
            let k = k as u32;
            let mut c = copy(&p, &var, value, k == 0, next_id);
            if !p.repeat_vertical {
                c.grid.x = (k % per_line) * w;
                c.grid.w = w;
            }
            c.grid.y = p.grid.y + (k / per_line) * p.grid.h;
            out.push(c);
        }
        pushes.push((original_y + p.grid.h, (lines - 1) * p.grid.h));
    }
    if !pushes.is_empty() {
        settle(&mut out);
    }
    out
}

/// Moves each panel down past any earlier one it overlaps, as Grafana's grid does when copies
/// land on a neighbour (two panels side by side, both repeated).
fn settle(panels: &mut [Panel]) {
    let overlaps = |a: &super::GridPos, b: &super::GridPos| {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    };
    for i in 0..panels.len() {
        while let Some(y) = panels[..i]
            .iter()
            .filter(|o| overlaps(&o.grid, &panels[i].grid))
            .map(|o| o.grid.y + o.grid.h)
            .max()
        {
            panels[i].grid.y = y;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dashboard::import;

    fn scope(var: &str, values: &[&str]) -> Scope {
        let mut s = Scope::new();
        s.insert(
            var.into(),
            ScopeValue {
                values: values.iter().map(|v| v.to_string()).collect(),
                all: false,
                custom_all: None,
                regex_escape: true,
            },
        );
        s
    }

    fn grid(p: &Panel) -> (u32, u32, u32, u32) {
        (p.grid.x, p.grid.y, p.grid.w, p.grid.h)
    }

    #[test]
    fn a_repeated_panel_is_copied_side_by_side_and_what_is_below_moves_down() {
        let d = import(
            r#"{"uid":"r","title":"R","panels":[
              {"id":1,"type":"timeseries","title":"Errors on $job","repeat":"job","maxPerRow":2,
               "gridPos":{"x":0,"y":0,"w":24,"h":8},"targets":[{"expr":"up{job=\"$job\"}"}]},
              {"id":2,"type":"stat","title":"Below","gridPos":{"x":0,"y":8,"w":6,"h":4}}]}"#,
            "r",
        )
        .unwrap();
        let e = expand(&d, &scope("job", &["api", "db", "web"]));
        let got: Vec<_> = e
            .panels
            .iter()
            .map(|p| (p.id, p.title.as_str(), grid(p)))
            .collect();
        assert_eq!(
            got,
            [
                (1, "Errors on api", (0, 0, 12, 8)),
                (3, "Errors on db", (12, 0, 12, 8)),
                (4, "Errors on web", (0, 8, 12, 8)),
                (2, "Below", (0, 16, 6, 4)),
            ]
        );
        // Each copy's queries see its own value; the same variables give the same ids.
        let web = e.panel(4).unwrap();
        assert_eq!(
            interpolate(
                &web.targets[0].expr,
                &scope_for(&scope("job", &["api"]), web)
            ),
            r#"up{job="web"}"#
        );
        assert_eq!(expand(&d, &scope("job", &["api", "db", "web"])), e);
        assert!(e.panel(1).unwrap().repeat_warning().is_none());
    }

    #[test]
    fn two_panels_repeated_side_by_side_do_not_overlap() {
        // kube-prometheus' Alertmanager overview: a pair of half-width panels, both repeated by
        // integration, under an open row.
        let text = String::from_utf8(crate::model::fixture(
            "grafana-dashboards/kube-prometheus/alertmanager-overview.json",
        ))
        .unwrap();
        let d = import(&text, "x").unwrap();
        let integrations = ["email", "pagerduty", "slack", "webhook", "opsgenie"];
        let e = expand(&d, &scope("integration", &integrations));
        let send: Vec<&str> = e
            .panels
            .iter()
            .map(|p| p.title.as_str())
            .filter(|t| t.ends_with("Notifications Send Rate"))
            .collect();
        assert_eq!(send.len(), 5);
        assert_eq!(send[2], "slack: Notifications Send Rate");
        let cells: Vec<_> = e.panels.iter().map(|p| p.grid).collect();
        for (i, a) in cells.iter().enumerate() {
            for b in &cells[..i] {
                let apart =
                    a.x >= b.x + b.w || b.x >= a.x + a.w || a.y >= b.y + b.h || b.y >= a.y + a.h;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
        assert_eq!(e.panels.len(), 4 + 2 * 5);
    }

    #[test]
    fn vertical_repeats_stack_and_a_missing_variable_leaves_the_panel_alone() {
        let d = import(
            r#"{"uid":"r","title":"R","panels":[
              {"id":5,"type":"timeseries","title":"$i","repeat":"i","repeatDirection":"v",
               "gridPos":{"x":6,"y":2,"w":12,"h":5}}]}"#,
            "r",
        )
        .unwrap();
        let e = expand(&d, &scope("i", &["a", "b"]));
        let got: Vec<_> = e.panels.iter().map(|p| (p.id, grid(p))).collect();
        assert_eq!(got, [(5, (6, 2, 12, 5)), (6, (6, 7, 12, 5))]);
        let alone = expand(&d, &Scope::new());
        assert_eq!(alone.panels.len(), 1);
        assert!(alone.panels[0]
            .repeat_warning()
            .unwrap()
            .contains("no variable $i"));
    }

    #[test]
    fn a_repeated_row_copies_its_section_below_itself() {
        let d = import(
            r#"{"uid":"r","title":"R","panels":[
              {"id":1,"type":"row","title":"Node $node","repeat":"node","collapsed":false,"gridPos":{"x":0,"y":0,"w":24,"h":1}},
              {"id":2,"type":"timeseries","title":"CPU","gridPos":{"x":0,"y":1,"w":24,"h":6}},
              {"id":3,"type":"row","title":"Other","collapsed":true,"gridPos":{"x":0,"y":7,"w":24,"h":1},
               "panels":[{"id":4,"type":"stat","title":"In $node","repeat":"node","gridPos":{"x":0,"y":8,"w":24,"h":3}}]}]}"#,
            "r",
        )
        .unwrap();
        let e = expand(&d, &scope("node", &["n1", "n2"]));
        let got: Vec<_> = e
            .panels
            .iter()
            .map(|p| (p.id, p.title.as_str(), p.grid.y))
            .collect();
        assert_eq!(
            got,
            [
                (1, "Node n1", 0),
                (2, "CPU", 1),
                (5, "Node n2", 7),
                (6, "CPU", 8),
                (3, "Other", 14),
            ]
        );
        assert_eq!(
            e.panel(6).unwrap().repeat_value,
            Some(("node".to_string(), "n2".to_string()))
        );
        // A collapsed row's repeated child is expanded among the children.
        let children: Vec<_> = e.panels[4]
            .children
            .iter()
            .map(|p| (p.id, p.title.as_str(), grid(p)))
            .collect();
        assert_eq!(
            children,
            [(4, "In n1", (0, 15, 12, 3)), (7, "In n2", (12, 15, 12, 3))]
        );
    }
}
