import Dashboard
import Foundation
import Testing
import Tuner

/// Zooming a chart in headless Chromium: a vertical drag on the metric chart becomes its range in the URL.
extension BrowserTests {
    @Test("dragging up or down on the metric chart zooms it to the values spanned, through the URL; the dots drawn are those inside")
    func zoom() async throws {
        let fixture = try DashboardFixture()
        let trials = (1...30).map { (n: Int) -> TrialRecord in fixture.trial(n, metric: Double(n) / 30) }
        try fixture.save(trials, experiment: "tune#zoom")
        let (server, http) = try await fixture.serve()
        let browser = try await Browser()
        do {
            try await browser.open("http://127.0.0.1:\(http.port)/experiment?name=tune%23zoom")
            _ = try await browser.run("""
                const area = document.querySelector('[data-testid=history] rect[data-zoom]');
                const box = area.getBoundingClientRect();
                const x = box.left + box.width / 2, y0 = box.top + box.height * 0.2, y1 = box.top + box.height * 0.6;
                const fire = (target, type, y) => target.dispatchEvent(new MouseEvent(type, {clientX: x, clientY: y, bubbles: true}));
                fire(area, 'mousedown', y0); fire(document, 'mousemove', (y0 + y1) / 2); fire(document, 'mouseup', y1);
                """)
            try await browser.waitUntil("return !!new URL(location.href).searchParams.get('y') && !!document.querySelector('[data-testid=unzoom]')",
                                        "the zoomed range is in the URL")
            let range = try #require(try await browser.run("return new URL(location.href).searchParams.get('y')") as? String)
            let bounds = range.split(separator: ":").compactMap { Double($0) }
            #expect(bounds.count == 2 && bounds[0] < bounds[1] && bounds[0] > 0.1 && bounds[1] < 0.95, "\(range)")
            let inside = trials.filter { ($0.metric ?? -1) >= bounds[0] && ($0.metric ?? -1) <= bounds[1] }.map(\.number)
            let drawn = try await browser.run("return [...document.querySelectorAll('[data-testid=history] circle[data-trial]')].map(c => Number(c.dataset.trial))") as? [Int]
            #expect(drawn == inside && inside.count > 5 && inside.count < 25, "\(inside.count) inside")
            try await browser.expectNoConsoleErrors("zoom")
        } catch {
            await browser.leaveEvidence("zoom")
            Issue.record(error)
        }
        await browser.close()
        await server.stop()
    }
}

extension BrowserTests {
    @Test("under a URL prefix the page goes live and follows a new trial: its script finds the event stream there")
    func prefixed() async throws {
        let fixture = try DashboardFixture()
        try fixture.save([fixture.trial(1, metric: 0.5)], experiment: "tune#prefix")
        let (server, http) = try await fixture.serve(urlPrefix: "/lab")
        let browser = try await Browser()
        do {
            try await browser.open("http://127.0.0.1:\(http.port)/lab/experiment?name=tune%23prefix")
            try await browser.waitUntil("return document.getElementById('live').dataset.state === 'live'", "the page is live under /lab")
            try fixture.save([fixture.trial(2, metric: 0.7)], experiment: "tune#prefix")
            try await browser.waitUntil("return document.querySelectorAll('[data-testid=history] circle[data-trial]').length === 2", "the new trial is drawn")
            try await browser.expectNoConsoleErrors("prefix")
        } catch {
            await browser.leaveEvidence("prefix")
            Issue.record(error)
        }
        await browser.close()
        await server.stop()
    }
}

extension BrowserTests {
    @Test("a trial's copy buttons copy its parameters as JSON and as a labmake train line")
    func copy() async throws {
        let fixture = try DashboardFixture()
        try fixture.save([fixture.trial(1, metric: 0.5, parameters: ["lr": .double(0.1), "model": .string("resnet20")])], experiment: "tune#copy")
        let (server, http) = try await fixture.serve(pipeline: {
            PipelineState(file: "labmake.yaml", stages: [.init(name: "tune", kind: "tune", status: "up-to-date", maximize: true)])
        })
        let browser = try await Browser()
        do {
            try await browser.open("http://127.0.0.1:\(http.port)/trial?experiment=tune%23copy&number=1")
            _ = try await browser.run("document.querySelector('[data-testid=copy-json]').click()")
            try await browser.waitUntil("return document.querySelector('[data-testid=copy-json]').textContent === 'copied'", "the JSON is copied")
            #expect(try await browser.run("return window.labmakeCopied") as? String == #"{"lr":0.1,"model":"resnet20"}"#)
            _ = try await browser.run("document.querySelector('[data-testid=copy-train]').click()")
            try await browser.waitUntil("return window.labmakeCopied.startsWith('labmake train')", "the train line is copied")
            #expect(try await browser.run("return window.labmakeCopied") as? String == "labmake train --set lr=0.1 --set model=resnet20")
            try await browser.expectNoConsoleErrors("copy")
        } catch {
            await browser.leaveEvidence("copy")
            Issue.record(error)
        }
        await browser.close()
        await server.stop()
    }
}

extension BrowserTests {
    @Test("dragging a parallel-coordinates axis's name to the right moves the axis there, through the URL")
    func moveAxis() async throws {
        let fixture = try DashboardFixture()
        try fixture.save((1...10).map { (n: Int) -> TrialRecord in
            fixture.trial(n, metric: Double(n) / 10, parameters: ["a": .double(Double(n)), "b": .double(Double(n % 3)), "c": .double(Double(n % 4))])
        }, experiment: "tune#move")
        let (server, http) = try await fixture.serve()
        let browser = try await Browser()
        do {
            try await browser.open("http://127.0.0.1:\(http.port)/experiment?name=tune%23move")
            _ = try await browser.run("""
                const labels = [...document.querySelectorAll('[data-testid=parallel] text[data-axis-label]')];
                const from = labels[0].getBoundingClientRect(), to = labels[2].getBoundingClientRect();
                const fire = (target, type, x) => target.dispatchEvent(new MouseEvent(type, {clientX: x, clientY: from.top + 4, bubbles: true}));
                fire(labels[0], 'mousedown', from.left + 2); fire(document, 'mouseup', to.right + 20);
                """)
            try await browser.waitUntil("return new URL(location.href).searchParams.get('axes') === 'b,c,a' && !!document.querySelector('[data-testid=parallel]')",
                                        "the axis moved to the end")
            let order = try await browser.run("return [...document.querySelectorAll('[data-testid=parallel] text[data-axis-label]')].map(t => t.dataset.axisLabel).join(',')") as? String
            #expect(order == "b,c,a")
            try await browser.expectNoConsoleErrors("move axis")
        } catch {
            await browser.leaveEvidence("move axis")
            Issue.record(error)
        }
        await browser.close()
        await server.stop()
    }
}
