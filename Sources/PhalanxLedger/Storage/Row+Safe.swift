import GRDB

extension Row {
    /// The value of `column` converted to `T`, or `nil` when it is NULL or of another type.
    ///
    /// GRDB's typed subscript traps on a value it cannot convert; a ledger file may have been tampered with, so
    /// every read of stored data goes through this instead and a bad value becomes a reported problem.
    func safe<T: DatabaseValueConvertible>(_ column: String, as type: T.Type = T.self) -> T? {
        let value: DatabaseValue = self[column] ?? .null
        return T.fromDatabaseValue(value)
    }
}
