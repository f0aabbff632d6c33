import Foundation

/// Small, dependency-free SVG charts for the demo's report.html: line (and step) charts and grouped bar charts,
/// with axes, ticks, labels and a legend. Everything is drawn from the numbers given; text is XML-escaped.
enum SVGChart {
    struct Series {
        let name: String
        let color: String
        let points: [(x: Double, y: Double)]
        var dashed = false
    }

    static let width = 640.0
    static let height = 320.0
    static let margin = (left: 56.0, right: 16.0, top: 16.0, bottom: 64.0)

    /// A line chart; `step` draws a staircase (a survival curve). The y range is `yRange`, or the data's.
    static func line(
        _ series: [Series], title: String, xLabel: String, yLabel: String, yRange: ClosedRange<Double>? = nil,
        step: Bool = false
    ) -> String {
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        guard let xMin = xs.min(), let xMax = xs.max(), let yLow = ys.min(), let yHigh = ys.max() else {
            return frame(title: title, body: "")
        }
        let yr = yRange ?? (yLow == yHigh ? (yLow - 1)...(yHigh + 1) : yLow...yHigh)
        let xr = xMin == xMax ? (xMin - 1)...(xMax + 1) : xMin...xMax
        var body = axes(x: xr, y: yr, xLabel: xLabel, yLabel: yLabel)
        for s in series where !s.points.isEmpty {
            var path = ""
            for (i, p) in s.points.enumerated() {
                let (px, py) = (x(p.x, xr), y(p.y, yr))
                if i == 0 {
                    path += "M\(f(px)),\(f(py))"
                } else if step {
                    path += " H\(f(px)) V\(f(py))"
                } else {
                    path += " L\(f(px)),\(f(py))"
                }
            }
            body +=
                "<path d=\"\(path)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "")/>"
            if !step && s.points.count <= 60 {
                for p in s.points {
                    body += "<circle cx=\"\(f(x(p.x, xr)))\" cy=\"\(f(y(p.y, yr)))\" r=\"2.5\" fill=\"\(s.color)\"/>"
                }
            }
        }
        body += legend(series.map { ($0.name, $0.color) })
        return frame(title: title, body: body)
    }

    /// Grouped bars: one group per label, one bar per series.
    static func bars(
        groups: [String], series: [(name: String, color: String, values: [Double])], title: String, yLabel: String,
        yRange: ClosedRange<Double> = 0...1
    ) -> String {
        guard !groups.isEmpty, !series.isEmpty else { return frame(title: title, body: "") }
        var body = axes(x: nil, y: yRange, xLabel: "", yLabel: yLabel)
        let plotWidth = width - margin.left - margin.right
        let groupWidth = plotWidth / Double(groups.count)
        let barWidth = groupWidth * 0.8 / Double(series.count)
        for (g, group) in groups.enumerated() {
            let left = margin.left + Double(g) * groupWidth + groupWidth * 0.1
            for (k, s) in series.enumerated() where g < s.values.count {
                let value = min(max(s.values[g], yRange.lowerBound), yRange.upperBound)
                let top = y(value, yRange), bottom = y(yRange.lowerBound, yRange)
                body +=
                    "<rect x=\"\(f(left + Double(k) * barWidth))\" y=\"\(f(top))\" width=\"\(f(barWidth - 1))\" height=\"\(f(bottom - top))\" fill=\"\(s.color)\"><title>\(escape("\(group), \(s.name): \(String(format: "%.3f", s.values[g]))"))</title></rect>"
            }
            body +=
                "<text x=\"\(f(left + groupWidth * 0.4))\" y=\"\(f(height - margin.bottom + 16))\" text-anchor=\"middle\" font-size=\"12\">\(escape(group))</text>"
        }
        body += legend(series.map { ($0.name, $0.color) })
        return frame(title: title, body: body)
    }

    // MARK: - Parts

    private static func x(_ value: Double, _ range: ClosedRange<Double>) -> Double {
        margin.left + (value - range.lowerBound) / (range.upperBound - range.lowerBound)
            * (width - margin.left - margin.right)
    }

    private static func y(_ value: Double, _ range: ClosedRange<Double>) -> Double {
        height - margin.bottom - (value - range.lowerBound) / (range.upperBound - range.lowerBound)
            * (height - margin.top - margin.bottom)
    }

    private static func axes(
        x xr: ClosedRange<Double>?, y yr: ClosedRange<Double>, xLabel: String, yLabel: String
    )
        -> String
    {
        let left = margin.left, bottom = height - margin.bottom, right = width - margin.right
        var svg = "<g stroke=\"#999\" stroke-width=\"1\">"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(margin.top))\" x2=\"\(f(left))\" y2=\"\(f(bottom))\"/>"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\"/></g>"
        for tick in ticks(yr) {
            let py = y(tick, yr)
            svg +=
                "<line x1=\"\(f(left))\" y1=\"\(f(py))\" x2=\"\(f(right))\" y2=\"\(f(py))\" stroke=\"#eee\"/><text x=\"\(f(left - 6))\" y=\"\(f(py + 4))\" text-anchor=\"end\" font-size=\"11\">\(label(tick))</text>"
        }
        if let xr {
            for tick in ticks(xr) {
                let px = x(tick, xr)
                svg +=
                    "<line x1=\"\(f(px))\" y1=\"\(f(bottom))\" x2=\"\(f(px))\" y2=\"\(f(bottom + 4))\" stroke=\"#999\"/><text x=\"\(f(px))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\" font-size=\"11\">\(label(tick))</text>"
            }
        }
        svg +=
            "<text x=\"\(f((left + right) / 2))\" y=\"\(f(bottom + 34))\" text-anchor=\"middle\" font-size=\"12\">\(escape(xLabel))</text>"
        svg +=
            "<text transform=\"translate(14,\(f((margin.top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">\(escape(yLabel))</text>"
        return svg
    }

    private static func legend(_ entries: [(String, String)]) -> String {
        var svg = ""
        var left = margin.left
        let top = height - 14
        for (name, color) in entries {
            svg +=
                "<rect x=\"\(f(left))\" y=\"\(f(top - 9))\" width=\"12\" height=\"12\" fill=\"\(color)\"/><text x=\"\(f(left + 16))\" y=\"\(f(top + 1))\" font-size=\"12\">\(escape(name))</text>"
            left += 28 + Double(name.count) * 6.6
        }
        return svg
    }

    /// About five round ticks across the range.
    static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / 5
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var tick = (range.lowerBound / step).rounded(.up) * step
        var result: [Double] = []
        while tick <= range.upperBound + step * 1e-9 {
            result.append(tick)
            tick += step
        }
        return result
    }

    private static func label(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e6 ? String(Int(value)) : String(format: "%.2f", value)
    }

    private static func frame(title: String, body: String) -> String {
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\" font-family=\"system-ui, sans-serif\">\(body)</svg><figcaption>\(escape(title))</figcaption></figure>"
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
