//! acdsim: a discrete-event simulator of contact centers.
//!
//! A [`scenario::Scenario`] describes queues, agents and routing; an
//! [`engine::Simulation`] runs one replication of it; [`runner`] runs many in
//! parallel and [`report`] summarises them with confidence intervals.
//! [`erlang`] holds the analytic formulas the simulator is checked against.

pub mod bench;
pub mod cli;
pub mod command;
pub mod distribution;
pub mod engine;
pub mod erlang;
pub mod event;
pub mod live;
pub mod report;
pub mod rng;
pub mod router;
pub mod runner;
pub mod scenario;
pub mod staff;
pub mod stats;
pub mod sweep;
pub mod text;
pub mod time;
