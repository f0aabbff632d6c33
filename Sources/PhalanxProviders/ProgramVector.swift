import Foundation
import PhalanxCore

/// A vector held in a register of a running plug-in: integers (counts, quantized values, sums) or reals.
///
/// Every operation is checked: an integer overflow, a division by zero or a non-finite real fails the round with an
/// ``InterpreterError`` rather than producing a wrong value. Errors never quote values (they are private on a node).
enum ProgramVector: Sendable, Equatable {
    case integers([Int64])
    case reals([Double])

    var count: Int {
        switch self {
        case .integers(let v): v.count
        case .reals(let v): v.count
        }
    }

    var reals: [Double] {
        switch self {
        case .integers(let v): v.map(Double.init)
        case .reals(let v): v
        }
    }

    init(constant values: [Double], element: VectorElement) {
        switch element {
        case .integer: self = .integers(values.map { Int64($0) })
        case .real: self = .reals(values)
        }
    }

    /// `lhs op rhs` element by element; a vector of length 1 applies to every element of the other.
    static func arithmetic(
        _ op: ArithmeticOperator, _ lhs: ProgramVector, _ rhs: ProgramVector
    ) throws(InterpreterError) -> ProgramVector {
        let n = max(lhs.count, rhs.count)
        guard lhs.count == rhs.count || lhs.count == 1 || rhs.count == 1 else {
            throw InterpreterError("vectors of \(lhs.count) and \(rhs.count) components do not combine")
        }
        func at<T>(_ v: [T], _ i: Int) -> T { v.count == 1 ? v[0] : v[i] }
        if case .integers(let a) = lhs, case .integers(let b) = rhs, op != .divide {
            var result = [Int64](repeating: 0, count: n)
            for i in 0..<n {
                let x = at(a, i), y = at(b, i)
                let (value, overflow): (Int64, Bool) =
                    switch op {
                    case .add: x.addingReportingOverflow(y)
                    case .subtract: x.subtractingReportingOverflow(y)
                    case .multiply: x.multipliedReportingOverflow(by: y)
                    case .minimum: (min(x, y), false)
                    case .maximum: (max(x, y), false)
                    case .divide: (0, true)
                    }
                guard !overflow else { throw InterpreterError("integer overflow in \(op.rawValue)") }
                result[i] = value
            }
            return .integers(result)
        }
        let a = lhs.reals, b = rhs.reals
        var result = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let x = at(a, i), y = at(b, i)
            let value: Double
            switch op {
            case .add: value = x + y
            case .subtract: value = x - y
            case .multiply: value = x * y
            case .divide:
                guard y != 0 else { throw InterpreterError("division by zero") }
                value = x / y
            case .minimum: value = min(x, y)
            case .maximum: value = max(x, y)
            }
            guard value.isFinite else { throw InterpreterError("a \(op.rawValue) gave a non-finite result") }
            result[i] = value
        }
        return .reals(result)
    }

    /// A running sum (from the first element, or from the last) or product.
    func cumulative(_ kind: CumulativeKind) throws(InterpreterError) -> ProgramVector {
        switch (self, kind) {
        case (.integers(let v), .sum), (.integers(let v), .reverseSum):
            var result = v
            var total: Int64 = 0
            for i in kind == .sum ? Array(v.indices) : v.indices.reversed() {
                let (next, overflow) = total.addingReportingOverflow(v[i])
                guard !overflow else { throw InterpreterError("integer overflow in a running sum") }
                total = next
                result[i] = total
            }
            return .integers(result)
        case (.integers(let v), .product):
            var result = v
            var total: Int64 = 1
            for i in v.indices {
                let (next, overflow) = total.multipliedReportingOverflow(by: v[i])
                guard !overflow else { throw InterpreterError("integer overflow in a running product") }
                total = next
                result[i] = total
            }
            return .integers(result)
        case (.reals(let v), _):
            var result = v
            var total = kind == .product ? 1.0 : 0.0
            for i in kind == .reverseSum ? v.indices.reversed() : Array(v.indices) {
                total = kind == .product ? total * v[i] : total + v[i]
                guard total.isFinite else { throw InterpreterError("a running total became non-finite") }
                result[i] = total
            }
            return .reals(result)
        }
    }

    /// The Euclidean norm of the values (integers as reals).
    var l2Norm: Double { reals.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// Scales the vector down so that its L2 norm is at most `bound`; `norm` is its ``l2Norm``, which the
    /// interpreter has already measured for the node's `clipRatioL2`.
    func clippedL2(_ bound: Double, norm: Double) -> ProgramVector {
        let v = reals
        guard norm > bound else { return .reals(v) }
        // Scaling by bound / norm can round the norm a hair above the bound; the factor's next-down keeps it under.
        let factor = (bound / norm).nextDown
        return .reals(v.map { $0 * factor })
    }

    /// round(scale · v), half to even, as integers.
    func quantized(_ scale: Double) throws(InterpreterError) -> ProgramVector {
        var result: [Int64] = []
        result.reserveCapacity(count)
        for x in reals {
            let scaled = (x * scale).rounded(.toNearestOrEven)
            guard let value = Int64(exactly: scaled), scaled.magnitude <= 0x1p62 else {
                throw InterpreterError("a quantized value does not fit in 64 bits")
            }
            result.append(value)
        }
        return .integers(result)
    }
}
