import Foundation
import Pipeline
import Stages
import Tuner

/// The forms of `labmake serve --control` on an experiment's pages: change `max_trials`, rerun the
/// failed trials, kill a running one; and the latest requests with the run's answers. Each form posts
/// to `/control` with the start's token; the run's answer arrives as a live change of the page.
struct ControlPanel {
    let token: String
    let view: ExperimentView
    /// The latest requests, newest first.
    let requests: [StoredControlRequest]
    /// The page to come back to after a request.
    let returnPath: String
    /// The lab's notes file, when the pipeline's report names one.
    var notes: NotesFile? = nil

    var isLive: Bool { view.isLive }

    /// The hidden fields every form carries.
    private func hidden(_ action: String, returning: String? = nil) -> String {
        [("token", token), ("experiment", view.name), ("action", action), ("return", returning ?? returnPath)]
            .map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\(HTML.escape($0.1))\">" }.joined()
    }

    /// The control section of the experiment page.
    func section(maxTrials: Int?) -> String {
        var html = "<section class=\"control\" data-testid=\"control\"><h2>Control</h2>\n"
        if isLive {
            html += "<form method=\"post\" action=\"/control\" data-testid=\"max-trials-form\">" + hidden("max-trials")
                + "<label>max trials <input type=\"number\" name=\"value\" min=\"\(view.trials.count)\" value=\"\(maxTrials ?? view.trials.count)\" "
                + "data-testid=\"max-trials\"></label> <button type=\"submit\">set</button></form>\n"
            let failed = view.trials.filter { $0.status == .failed }.count
            if failed > 0 {
                html += "<form method=\"post\" action=\"/control\" data-testid=\"rerun-failed-form\">" + hidden("rerun-failed")
                    + "<button type=\"submit\" data-confirm=\"Run the \(failed) failed trials again?\" data-testid=\"rerun-failed\">"
                    + "rerun \(failed) failed</button></form>\n"
            }
        } else {
            html += "<p class=\"muted\" data-testid=\"control-idle\">No run drives this experiment now: requests are taken while "
                + "<code>labmake run</code> or <code>labmake tune</code> runs it.</p>\n"
        }
        html += killForm()
        if !requests.isEmpty {
            html += "<table class=\"requests\" data-testid=\"requests\"><thead><tr><th>asked</th><th>request</th><th>answer</th></tr></thead><tbody>"
            for request in requests {
                let action = WorkspaceControlQueue.decode(request.action)?.summary ?? request.action
                html += "<tr data-request=\"\(request.id)\" data-state=\"\(HTML.escape(request.state))\"><td>"
                    + HTML.time(Date(timeIntervalSince1970: request.requestedAt)) + "</td><td>\(HTML.escape(action))</td><td>"
                    + HTML.badge(request.state.uppercased()) + " " + HTML.escape(request.answer ?? "waiting for the run") + "</td></tr>"
            }
            html += "</tbody></table>\n"
        }
        return html + "</section>\n"
    }

    /// The form that the trial table's kill buttons submit (they name it: forms cannot nest).
    func killForm() -> String {
        "<form id=\"kill-form\" method=\"post\" action=\"/control\">" + hidden("kill") + "</form>"
    }

    /// A running or waiting trial's kill button, or a failed or killed trial's rerun button (empty otherwise).
    func button(for trial: TrialRecord, inTable: Bool) -> String {
        if trial.status == .running || trial.status == .waiting {
            return "<button type=\"submit\" form=\"kill-form\" name=\"trial\" value=\"\(trial.number)\" data-testid=\"kill\" "
                + "data-confirm=\"Kill trial \(trial.number)?\">kill</button>"
        }
        if trial.canRunAgain, isLive, !inTable {
            return "<form method=\"post\" action=\"/control\">" + hidden("rerun")
                + "<input type=\"hidden\" name=\"trial\" value=\"\(trial.number)\"><button type=\"submit\" data-testid=\"rerun\">run it again</button></form>"
        }
        return ""
    }

    /// The form that runs one more trial with parameters of the user's choosing, prefilled with `trial`'s
    /// (NNI's customized trial); the run checks them against the search space.
    func addForm(prefilled trial: TrialRecord) -> String {
        guard isLive else { return "" }
        return "<details class=\"add-trial\"><summary>run a trial with other parameters</summary><form method=\"post\" action=\"/control\" "
            + "data-testid=\"add-form\">" + hidden("add", returning: HTML.experimentLink(view.name))
            + "<textarea name=\"parameters\" rows=\"4\" cols=\"70\" data-testid=\"add-parameters\">\(HTML.escape(trial.configuration.json))</textarea>"
            + "<br><button type=\"submit\">run it</button> <span class=\"muted\">checked against the search space by the run; "
            + "it comes on top of max trials</span></form></details>\n"
    }

    /// A one-line note about `subject` (an experiment, a trial), added to the lab's notes.
    func noteForm(subject: String) -> String {
        guard let notes else { return "" }
        return "<form class=\"note-form\" method=\"post\" action=\"/notes\" data-testid=\"note-form\">"
            + [("token", token), ("stage", notes.stage), ("subject", subject), ("return", returnPath)]
                .map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\(HTML.escape($0.1))\">" }.joined()
            + "<input type=\"text\" name=\"note\" size=\"60\" placeholder=\"a note on \(HTML.escape(subject))\" data-testid=\"note\"> "
            + "<button type=\"submit\">add to \(HTML.escape(notes.name))</button></form>\n"
    }

    /// The `max_trials` the last applied request set while the experiment runs, else nil.
    static func raisedMaxTrials(_ requests: [StoredControlRequest], live: Bool) -> Int? {
        guard live else { return nil }
        for request in requests where request.state == "applied" {
            if case .setMaxTrials(let count)? = WorkspaceControlQueue.decode(request.action) { return count }
        }
        return nil
    }
}
