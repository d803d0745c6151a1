import Foundation
import GRDB
import LedgerModel
import LedgerProtocol

// Ledger identifiers are stored as BLOBs of their raw bytes.

extension LedgerID: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { Data(bytes).databaseValue }
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> LedgerID? {
        Data.fromDatabaseValue(dbValue).flatMap { LedgerID(bytes: $0) }
    }
}

extension PublicKey: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { Data(bytes).databaseValue }
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> PublicKey? {
        Data.fromDatabaseValue(dbValue).flatMap { PublicKey(bytes: $0) }
    }
}

extension OrderKey: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { Data(bytes).databaseValue }
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> OrderKey? {
        Data.fromDatabaseValue(dbValue).flatMap { OrderKey(bytes: Array($0)) }
    }
}

extension Row {
    /// Raw bytes of a BLOB column; empty when NULL.
    func bytes(_ column: String) -> [UInt8] {
        (Data.fromDatabaseValue(self[column] as DatabaseValue)).map { Array($0) } ?? []
    }
}

/// The clock as SQLite stores it (a signed 64-bit integer; hybrid clocks stay far below 2^63).
extension UInt64 {
    var sqlInteger: Int64 { Int64(bitPattern: self) }
}
