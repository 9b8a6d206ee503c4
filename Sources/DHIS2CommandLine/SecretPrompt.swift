import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a secret from the controlling terminal with echo turned off.
enum SecretPrompt {
    /// Writes `prompt` to standard error and reads one line from standard input without echoing it; `nil` when
    /// standard input is not a terminal (use `--secret-stdin` or an environment variable there) or at end of input.
    static func read(prompt: String) -> String? {
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        FileHandle.standardError.write(Data(prompt.utf8))
        var original = termios()
        let canSilence = tcgetattr(STDIN_FILENO, &original) == 0
        if canSilence {
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            silent.c_lflag |= tcflag_t(ECHONL)
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        defer {
            if canSilence { _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &original) }
        }
        return readLine(strippingNewline: true)
    }
}
