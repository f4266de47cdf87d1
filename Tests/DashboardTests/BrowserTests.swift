import Dashboard
import Foundation
import SystemIO
import Testing
import Tuner

/// The dashboard in headless Chromium: live updates without a reload, filters kept in the URL and
/// applied to every chart, zero console errors on every fixture shape, nothing loaded from elsewhere.
@Suite("labmake serve in a real browser", .serialized,
       .enabled(if: Browser.available || Browser.required, "Chromium is not installed: scripts/setup installs it (the tests run under CI)"))
struct BrowserTests {
    @Test("a trial written while the experiment page is open appears on it without a reload")
    func liveTrial() async throws {
        let fixture = try DashboardFixture()
        var first: [TrialRecord] = (1...5).map { (n: Int) -> TrialRecord in
            let value = Double(n) / 10
            return fixture.trial(n, metric: value, parameters: ["lr": .double(value / 10)], intermediates: [0.1, value])
        }
        first.append(fixture.trial(6, .running, intermediates: [0.2]))
        try fixture.save(first, experiment: "tune#live")
        let (server, http) = try await fixture.serve()
        let browser = try await Browser()
        do {
            try await browser.open("http://127.0.0.1:\(http.port)/experiment?name=tune")
            try await browser.waitUntil("return document.getElementById('live').dataset.state === 'live'", "the page is live")
            _ = try await browser.run("window.sameDocument = true")
            #expect(try await browser.run("return document.querySelectorAll('[data-testid=history] circle[data-trial]').length") as? Int == 5)
            // The running trial reports a result, then a sixth succeeds and a seventh starts.
            try fixture.save([fixture.trial(6, .running, intermediates: [0.2, 0.3])], experiment: "tune#live")
            try await browser.waitUntil("return document.querySelector('[data-testid=curves] polyline[data-trial=\"6\"]')?.dataset.points === '2'",
                                        "trial 6's curve gains its second point")
            try fixture.save([fixture.trial(6, metric: 0.9, intermediates: [0.2, 0.3, 0.9]), fixture.trial(7, .running)], experiment: "tune#live")
            try await browser.waitUntil("return document.querySelectorAll('[data-testid=history] circle[data-trial]').length === 6",
                                        "trial 6's result is drawn")
            try await browser.waitUntil("return document.querySelector('tr[data-trial=\"7\"] [data-status]')?.dataset.status === 'RUNNING'",
                                        "trial 7 is in the table")
            #expect(Browser.isTrue(try await browser.run("return window.sameDocument === true")), "the page was not reloaded")
            #expect(try await browser.run("return document.querySelector('[data-testid=best]').dataset.value") as? String == "0.9")
            let foreign = try await browser.run("""
                return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('http://127.0.0.1:'))
                """) as? [Any]
            #expect(foreign?.isEmpty == true, "everything comes from the dashboard: \(String(describing: foreign))")
            try await browser.expectNoConsoleErrors("live trial")
        } catch {
            await browser.leaveEvidence("live trial")
            Issue.record(error)
        }
        await browser.close()
        await server.stop()
    }

    @Test("a stage that turns stale turns stale on the open overview; a restarted server is reconnected to")
    func liveStage() async throws {
        let fixture = try DashboardFixture()
        let state = Locked(PipelineState(file: "labmake.yaml", stages: [
            .init(name: "data", kind: "cifar10", status: "up-to-date"), .init(name: "train", kind: "train", status: "up-to-date", upstream: [0]),
        ]))
        let (server, http) = try await fixture.serve(pipeline: { state.withLock { $0 } })
        let browser = try await Browser()
        do {
            try await browser.open("http://127.0.0.1:\(http.port)/")
            try await browser.waitUntil("return document.getElementById('live').dataset.state === 'live'", "the page is live")
            #expect(try await browser.run("return document.querySelector('rect[data-stage=train]').dataset.status") as? String == "up-to-date")
            state.withLock { $0.stages[1].status = "stale"; $0.stages[1].reasons = ["dependency data/train.bin changed"] }
            try await browser.waitUntil("return document.querySelector('rect[data-stage=train]').dataset.status === 'stale'",
                                        "the train node turns stale")
            #expect(try await browser.run("return document.querySelector('tr[data-stage=train] .reasons').textContent") as? String
                    == "dependency data/train.bin changed")
            try await browser.expectNoConsoleErrors("live stage")
            // The server goes away: the page says so; another starts on the same port: the page reconnects and catches up.
            await server.stop()
            try await browser.waitUntil("return document.getElementById('live').dataset.state === 'reconnecting'", "the page notices")
            state.withLock { $0.stages[1].status = "failed" }
            let again = try DashboardServer(reader: try WorkspaceReader(root: fixture.root), pipeline: { state.withLock { $0 } },
                                            host: "127.0.0.1", port: http.port)
            _ = try await again.start()
            try await browser.waitUntil("return document.querySelector('rect[data-stage=train]').dataset.status === 'failed'",
                                        "the reconnected page shows the new state")
            #expect(try await browser.run("return document.getElementById('live').dataset.state") as? String == "live")
            await again.stop()
            let errors = try await browser.consoleErrors()
            #expect(errors.allSatisfy { $0.contains("/events") && $0.contains("ERR_CONNECTION_REFUSED") }, "only the refused reconnections: \(errors)")
        } catch {
            await browser.leaveEvidence("live stage")
            Issue.record(error)
        }
        await browser.close()
        await server.stop()
    }

    @Test("a filter typed in the page stays in the URL across a reload, and every chart draws the trials the table lists")
    func filterInURL() async throws {
        let fixture = try DashboardFixture()
        try fixture.save((1...30).map { (n: Int) -> TrialRecord in
            let failed = n % 7 == 0
            let value = Double(n % 11) / 10
            let parameters: [String: ParameterValue] = ["lr": .double(Double(n % 5) / 100), "optimizer": .string(n % 2 == 0 ? "adam" : "sgd")]
            return fixture.trial(n, failed ? .failed : .succeeded, metric: failed ? nil : value, parameters: parameters, intermediates: [0.1, value])
        }, experiment: "tune#filter")
        let (server, http) = try await fixture.serve()
        let browser = try await Browser()
        do {
            try await browser.open("http://127.0.0.1:\(http.port)/experiment?name=tune%23filter")
            _ = try await browser.run("""
                const input = document.querySelector('[data-testid=filter]');
                input.value = 'optimizer=adam metric>0.3';
                input.form.submit();
                """)
            try await browser.waitUntil("return location.search.includes('filter=optimizer%3Dadam+metric%3E0.3')", "the filter is in the URL")
            try await browser.waitUntil("return document.readyState === 'complete' && !!document.querySelector('[data-testid=trial-table]')", "the page loaded")
            _ = try await browser.run("location.reload()")
            try await browser.waitUntil("return document.readyState === 'complete' && document.querySelector('[data-testid=filter]')?.value === 'optimizer=adam metric>0.3'",
                                        "the reloaded page keeps the filter")
            let table = try await browser.run("return [...document.querySelectorAll('tr[data-trial]')].map(r => r.dataset.trial).sort().join(',')") as? String
            let kept: [Int] = (1...30).filter { (n: Int) -> Bool in n % 7 != 0 && n % 2 == 0 && Double(n % 11) / 10 > 0.3 }
            let expected = kept.map(String.init).sorted().joined(separator: ",")
            #expect(table == expected)
            for chart in ["history", "curves", "parallel", "timeline"] {
                let drawn = try await browser.run("""
                    return [...new Set([...document.querySelectorAll('[data-testid=\(chart)] [data-trial]')].map(e => e.dataset.trial))].sort().join(',')
                    """) as? String
                #expect(drawn == expected, "\(chart)")
            }
            try await browser.expectNoConsoleErrors("filter")
        } catch {
            await browser.leaveEvidence("filter")
            Issue.record(error)
        }
        await browser.close()
        await server.stop()
    }

    @Test("brushing a range on a parallel-coordinates axis filters the table and every chart to it, through the URL")
    func brushing() async throws {
        let fixture = try DashboardFixture()
        let trials = (1...40).map { (n: Int) -> TrialRecord in
            let lr = Double(n) / 1000
            let parameters: [String: ParameterValue] = ["lr": .double(lr), "optimizer": .string(["adam", "sgd", "rmsprop"][n % 3])]
            return fixture.trial(n, metric: 0.5 + Double(n % 9) / 20, parameters: parameters)
        }
        try fixture.save(trials, experiment: "tune#brush")
        let (server, http) = try await fixture.serve()
        let browser = try await Browser()
        do {
            try await browser.open("http://127.0.0.1:\(http.port)/experiment?name=tune%23brush")
            // Drag down the lr axis from a quarter to three quarters of its height.
            let drag = """
                const axis = document.querySelector('[data-testid=parallel] line[data-axis=lr]');
                const box = axis.getBoundingClientRect();
                const x = box.left + box.width / 2, y0 = box.top + box.height * 0.25, y1 = box.top + box.height * 0.75;
                const fire = (target, type, y) => target.dispatchEvent(new MouseEvent(type, {clientX: x, clientY: y, bubbles: true}));
                fire(axis, 'mousedown', y0); fire(document, 'mousemove', (y0 + y1) / 2); fire(document, 'mouseup', y1);
                """
            _ = try await browser.run(drag)
            try await browser.waitUntil("return new URL(location.href).searchParams.get('filter')?.includes('lr>=') === true && !!document.querySelector('[data-testid=trial-table]')",
                                        "the brushed range is in the URL")
            let filter = try #require(try await browser.run("return new URL(location.href).searchParams.get('filter')") as? String)
            let bounds = filter.split(separator: " ").compactMap { term -> Double? in
                term.hasPrefix("lr>=") || term.hasPrefix("lr<=") ? Double(term.dropFirst(4)) : nil
            }
            #expect(bounds.count == 2 && bounds[0] < bounds[1], "\(filter)")
            let expected = trials.filter { t in (t.configuration["lr"]?.number).map { $0 >= bounds[0] && $0 <= bounds[1] } ?? false }
            #expect(expected.count > 5 && expected.count < 35, "a real part of the range: \(expected.count)")
            let table = try await browser.run("return [...document.querySelectorAll('tr[data-trial]')].map(r => Number(r.dataset.trial))") as? [Int]
            #expect(Set(table ?? []) == Set(expected.map(\.number)))
            let drawn = try await browser.run("return [...document.querySelectorAll('[data-testid=history] circle[data-trial]')].length") as? Int
            #expect(drawn == expected.count)
            // A choice axis: the options whose band the brush covers.
            _ = try await browser.run(drag.replacingOccurrences(of: "data-axis=lr", with: "data-axis=optimizer"))
            try await browser.waitUntil("return new URL(location.href).searchParams.get('filter')?.includes('optimizer:') === true && !!document.querySelector('[data-testid=trial-table]')",
                                        "the brushed options are in the URL")
            let second = try #require(try await browser.run("return new URL(location.href).searchParams.get('filter')") as? String)
            #expect(second.contains("lr>=") && second.contains("optimizer:"), "both brushes are kept: \(second)")
            try await browser.expectNoConsoleErrors("brushing")
        } catch {
            await browser.leaveEvidence("brushing")
            Issue.record(error)
        }
        await browser.close()
        await server.stop()
    }

    @Test("a dark colour scheme gives a dark page")
    func darkMode() async throws {
        let fixture = try DashboardFixture()
        try fixture.save([fixture.trial(1, metric: 0.5)], experiment: "tune#dark")
        let (server, http) = try await fixture.serve()
        let browser = try await Browser()
        do {
            let background = "return getComputedStyle(document.body).backgroundColor"
            try await browser.open("http://127.0.0.1:\(http.port)/experiment?name=tune")
            #expect(try await browser.run(background) as? String == "rgb(255, 255, 255)")
            try await browser.devTools("Emulation.setEmulatedMedia", ["features": [["name": "prefers-color-scheme", "value": "dark"]]])
            try await browser.waitUntil("return getComputedStyle(document.body).backgroundColor === 'rgb(23, 24, 27)'", "the page turns dark")
            try await browser.expectNoConsoleErrors("dark mode")
        } catch {
            await browser.leaveEvidence("dark mode")
            Issue.record(error)
        }
        await browser.close()
        await server.stop()
    }

    @Test("every page of every fixture shape renders with no console error")
    func shapes() async throws {
        let fixture = try DashboardFixture()
        try fixture.save([fixture.trial(1, metric: 0.5, parameters: ["lr": .double(0.1)])], experiment: "one#trial")
        try fixture.save((1...4).map { fixture.trial($0, .failed, error: "exit status 1: Traceback <oops>") }, experiment: "all#failed")
        try fixture.save([fixture.trial(1, .running, intermediates: [0.1, 0.2, 0.3]), fixture.trial(2, .waiting),
                          fixture.trial(3, .earlyStopped, intermediates: [0.05, 0.06])], experiment: "running#curves")
        let nested: ParameterValue = .nested(["_name": .string("adam"), "beta": .double(0.9)])
        try fixture.save([fixture.trial(1, metric: 0.7, parameters: ["optimizer": nested, "lr": .double(0.01)], reused: true)], experiment: "nested#space")
        try fixture.save((1...2000).map { (n: Int) -> TrialRecord in
            let final = sin(Double(n)) / 2 + 0.5
            let stopped = n % 13 == 0
            let curve: [Double] = (1...100).map { (step: Int) -> Double in final - 1 / Double(step + 1) }
            let parameters: [String: ParameterValue] = ["lr": .double(Double(n % 17) / 1000), "width": .int(n % 4)]
            return fixture.trial(n, stopped ? .earlyStopped : .succeeded, metric: stopped ? nil : final, parameters: parameters, intermediates: curve)
        }, experiment: "big#2000")
        let (server, http) = try await fixture.serve(pipeline: {
            PipelineState(file: "labmake.yaml", stages: [.init(name: "big", kind: "tune", status: "failed", reasons: ["no trial succeeded"])],
                          runningPid: 4242)
        })
        let browser = try await Browser()
        let base = "http://127.0.0.1:\(http.port)"
        let pages = ["/", "/experiment?name=one%23trial", "/experiment?name=all%23failed", "/experiment?name=running%23curves",
                     "/experiment?name=nested%23space", "/trial?experiment=nested%23space&number=1", "/trial?experiment=all%23failed&number=2",
                     "/experiment?name=big%232000&sort=metric&desc=1&page=7", "/trial?experiment=running%23curves&number=1", "/nowhere"]
        do {
            for page in pages {
                try await browser.open(base + page)
                try await browser.waitUntil("return document.getElementById('live').dataset.state === 'live'", "\(page) is live")
                if page == "/nowhere" {
                    // Chromium reports the page's own 404 status, and nothing else.
                    let errors = try await browser.consoleErrors()
                    #expect(errors.count == 1 && errors[0].contains("/nowhere") && errors[0].contains("404"), "\(errors)")
                    #expect(try await browser.run("return document.querySelector('[data-testid=not-found]').textContent") as? String
                            == "no page /nowhere")
                } else {
                    try await browser.expectNoConsoleErrors(page)
                }
            }
            // The 2,000-trial page stays small: bounded curves, parallel lines and timeline bars, 50 rows.
            try await browser.open(base + "/experiment?name=big%232000")
            let counts = try await browser.run("""
                const n = s => document.querySelectorAll(s).length;
                return [n('[data-testid=curves] polyline[data-trial]'), n('[data-testid=parallel] polyline[data-trial]'),
                        n('[data-testid=timeline] rect[data-trial]'), n('tr[data-trial]'), document.documentElement.outerHTML.length];
                """) as? [Int]
            #expect(counts?[0] == 60 && counts?[1] == 500 && counts?[2] == 400 && counts?[3] == 50, "\(String(describing: counts))")
            #expect((counts?[4] ?? .max) < 1_500_000, "the page's size: \(String(describing: counts?[4]))")
        } catch {
            await browser.leaveEvidence("shapes")
            Issue.record(error)
        }
        await browser.close()
        await server.stop()
    }
}
