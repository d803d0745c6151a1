import Foundation

/// Opens an address in the user's browser where there is one: `$BROWSER`, or `xdg-open` on a desktop.
/// On a server or over SSH there is none, and printing the address is enough.
enum Browser {
    @discardableResult
    static func open(_ url: String) -> Bool {
        let env = ProcessInfo.processInfo.environment
        let program: String
        if let browser = env["BROWSER"], !browser.isEmpty {
            program = browser
        } else if env["DISPLAY"] != nil || env["WAYLAND_DISPLAY"] != nil, Shell.output("which", "xdg-open") != nil {
            program = "xdg-open"
        } else {
            return false
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program, url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return (try? process.run()) != nil
    }
}
