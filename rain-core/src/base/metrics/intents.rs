//! The intent counters: one series per declared intent and outcome, made at startup.

use prometheus_client::{encoding::EncodeLabelSet, metrics::counter::Counter};

use super::Metrics;

/// The labels of an intent's count.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(super) struct IntentLabels {
    category: &'static str,
    action: &'static str,
    outcome: &'static str,
}

/// How one intent ended, as `rain_intents_total` counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntentOutcome {
    /// A server intent's function answered a value.
    Value,
    /// A view intent answered its view.
    View,
    /// The server intent's function returned an error.
    Error,
    /// Refused before its function ran: a guard, the context limit, a context it cannot take.
    Refused,
    /// Its function panicked.
    Panic,
    /// No component provides it.
    Unknown,
    /// The request is not an intent request.
    Invalid,
}

impl IntentOutcome {
    /// Every outcome, in the order of [`IntentMeters`]' counters.
    const ALL: [Self; 7] = [
        Self::Value,
        Self::View,
        Self::Error,
        Self::Refused,
        Self::Panic,
        Self::Unknown,
        Self::Invalid,
    ];

    /// The `outcome` label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Value => "value",
            Self::View => "view",
            Self::Error => "error",
            Self::Refused => "refused",
            Self::Panic => "panic",
            Self::Unknown => "unknown",
            Self::Invalid => "invalid",
        }
    }
}

/// The counters of one declared intent (or of the undeclared ones), one per outcome, made once
/// at startup so that counting an intent looks nothing up.
#[derive(Debug, Clone)]
pub(crate) struct IntentMeters([Counter; IntentOutcome::ALL.len()]);

impl IntentMeters {
    /// Counts one intent that ended with `outcome`.
    pub(crate) fn count(&self, outcome: IntentOutcome) {
        self.0[outcome as usize].inc();
    }
}

impl Metrics {
    /// The counters of the intent `category`/`action`, every outcome's series made at zero; with
    /// empty names, those of every intent that is not declared.
    pub(crate) fn intent_meters(
        &self,
        category: &'static str,
        action: &'static str,
    ) -> IntentMeters {
        IntentMeters(IntentOutcome::ALL.map(|outcome| {
            self.intents.get_or_create_owned(&IntentLabels {
                category,
                action,
                outcome: outcome.label(),
            })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::adapter::Adapter;

    #[test]
    fn intents_count_by_declared_name_and_outcome() {
        let metrics = Metrics::new([]);
        let declared = metrics.intent_meters("com.rain.test.general", "SHOW");
        let undeclared = metrics.intent_meters("", "");
        declared.count(IntentOutcome::View);
        declared.count(IntentOutcome::View);
        undeclared.count(IntentOutcome::Unknown);
        let (_, io) = socketioxide::SocketIo::builder()
            .with_adapter::<Adapter>(crate::base::cluster::AdapterState::local())
            .build_layer();
        let text = metrics.render(&io);
        for line in [
            "rain_intents_total{category=\"com.rain.test.general\",action=\"SHOW\",outcome=\"view\"} 2\n",
            "rain_intents_total{category=\"com.rain.test.general\",action=\"SHOW\",outcome=\"panic\"} 0\n",
            "rain_intents_total{category=\"\",action=\"\",outcome=\"unknown\"} 1\n",
        ] {
            assert!(text.contains(line), "`{line}` missing from:\n{text}");
        }
    }
}
