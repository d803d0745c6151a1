import Foundation
import LedgerStore
import LedgerWeb

/// Opens an address in the user's browser where there is one: `$BROWSER`, or `xdg-open` on a desktop.
/// On a server or over SSH there is none, and printing the address is enough.
enum Browser {
    /// The address carries a secret (a sign-in token or signature), and a program's arguments are
    /// visible to every user of the machine: the browser is given a private file that redirects to it.
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
        guard let page = redirectFile(to: url) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program, page.absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return (try? process.run()) != nil
    }

    /// A page only this user can read that sends the browser on to `url`.
    private static func redirectFile(to url: String) -> URL? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-open-\(UUID().uuidString).html")
        let escaped = HTML.escape(url)
        let html =
            "<!doctype html><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url=\(escaped)\"><a href=\"\(escaped)\">Continue</a>"
        // It holds a sign-in link: no other user may read it, not even while it is being written.
        guard (try? PrivateFile.write(Data(html.utf8), to: file)) != nil else { return nil }
        return file
    }
}
