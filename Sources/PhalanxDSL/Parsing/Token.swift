/// One token of a plug-in's source and the span of its text.
struct Token: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// A name that is not a keyword: `survival`, `histogram`, `at_risk`.
        case identifier(String)
        case keyword(Keyword)
        /// `80`, `1.0`, `2.5e-3`; finite, and an integer literal fits in an `Int64`.
        case number(NumberLiteral)
        /// A string literal's value, escapes resolved.
        case string(String)
        case symbol(Symbol)
        /// The end of the text.
        case end
        /// A malformed token; the lexer stops at the first one, so this is the last token.
        case invalid(Diagnostic)
    }

    /// Operators and punctuation.
    enum Symbol: String, Sendable, Hashable, CaseIterable {
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case plus = "+", minus = "-", star = "*", slash = "/"
        case leftParenthesis = "(", rightParenthesis = ")", leftBrace = "{", rightBrace = "}"
        case leftBracket = "[", rightBracket = "]"
        case comma = ",", colon = ":", dot = ".", assign = "="
        case inclusiveRange = "..=", exclusiveRange = "..<"

        /// The binary operator the symbol spells, if any.
        var binaryOperator: BinaryOperator? {
            switch self {
            case .equal: .equal
            case .notEqual: .notEqual
            case .less: .less
            case .lessOrEqual: .lessOrEqual
            case .greater: .greater
            case .greaterOrEqual: .greaterOrEqual
            case .plus: .add
            case .minus: .subtract
            case .star: .multiply
            case .slash: .divide
            default: nil
            }
        }
    }

    var kind: Kind
    var span: SourceSpan

    init(_ kind: Kind, span: SourceSpan) {
        self.kind = kind
        self.span = span
    }

    /// Whether the token is `symbol`.
    func `is`(_ symbol: Symbol) -> Bool {
        if case .symbol(let own) = kind { return own == symbol }
        return false
    }

    /// Whether the token is `keyword`.
    func `is`(_ keyword: Keyword) -> Bool {
        if case .keyword(let own) = kind { return own == keyword }
        return false
    }

    /// The comparison operator the token spells, if any.
    var comparison: BinaryOperator? {
        guard case .symbol(let symbol) = kind, let op = symbol.binaryOperator, op.isComparison else { return nil }
        return op
    }

    /// Whether the token is `..=` or `..<`.
    var isRangeOperator: Bool { self.is(.inclusiveRange) || self.is(.exclusiveRange) }

    /// The word an identifier or a keyword spells; column names may be keywords (`safety_events.category`).
    var word: String? {
        switch kind {
        case .identifier(let name): name
        case .keyword(let keyword): keyword.rawValue
        default: nil
        }
    }
}
