import Dashboard
import Foundation
import Pipeline
import Stages
import Testing
import Tuner

/// `--control` in headless Chromium: the kill button asks first, the request shows pending and then the
/// run's answer without a reload, and a live change never wipes a number being typed.
extension BrowserTests {
    @Test("kill asks first, then shows the request pending and the run's answer live; typing in a field holds the live swap until it is left")
    func control() async throws {
        let fixture = try DashboardFixture()
        try fixture.save([fixture.trial(1, metric: 0.5), fixture.trial(2, .failed, error: "boom"), fixture.trial(3, .running)],
                         experiment: "tune#control")
        let (server, http) = try await fixture.serve(control: try ControlChannel(root: fixture.root))
        let browser = try await Browser()
        do {
            try await browser.open("http://127.0.0.1:\(http.port)/experiment?name=tune%23control")
            try await browser.waitUntil("return document.getElementById('live').dataset.state === 'live'", "the page is live")
            _ = try await browser.run("""
                window.confirm = function (question) { sessionStorage.setItem('asked', question); return true; };
                document.querySelector('tr[data-trial="3"] [data-testid=kill]').click();
                """)
            try await browser.waitUntil("return document.readyState === 'complete' && !!document.querySelector('[data-testid=requests] tr[data-state=pending]')",
                                        "the kill request is shown pending")
            #expect(try await browser.run("return sessionStorage.getItem('asked')") as? String == "Kill trial 3?")
            #expect(try await browser.run("return location.pathname + location.search") as? String == "/experiment?name=tune%23control",
                    "the form came back to the page that asked")

            // The run answers: the page shows it without a reload.
            _ = try await browser.run("window.sameDocument = true")
            let queue = WorkspaceControlQueue(database: try StateDatabase(path: Workspace.databasePath(root: fixture.root)))
            let pending = try queue.pendingRequests(experiment: "tune#control")
            #expect(pending.map(\.action) == [.kill(trials: [3])])
            try queue.answer(pending[0].id, .applied("killing trial 3"))
            try await browser.waitUntil("return document.querySelector('[data-testid=requests] tr[data-state=applied]')?.textContent.includes('killing trial 3') === true",
                                        "the answer appears")

            // A number being typed survives a change of the page until the field is left.
            _ = try await browser.run("""
                const field = document.querySelector('[data-testid=max-trials]');
                field.focus();
                field.value = '25';
                window.deferredBefore = window.labmakeDeferred;
                """)
            try fixture.save([fixture.trial(4, .running)], experiment: "tune#control")
            try await browser.waitUntil("return window.labmakeDeferred > window.deferredBefore", "the swap waits for the field")
            #expect(try await browser.run("return document.querySelector('[data-testid=max-trials]').value") as? String == "25")
            #expect(try await browser.run("return !document.querySelector('tr[data-trial=\"4\"]')") as? Bool == true)
            _ = try await browser.run("document.activeElement.blur()")
            try await browser.waitUntil("return !!document.querySelector('tr[data-trial=\"4\"]')", "the page catches up once the field is left")
            #expect(Browser.isTrue(try await browser.run("return window.sameDocument === true")), "the page was not reloaded")
            try await browser.expectNoConsoleErrors("control")
        } catch {
            await browser.leaveEvidence("control")
            Issue.record(error)
        }
        await browser.close()
        await server.stop()
    }
}
