// The `dhis2` executable: everything lives in DHIS2CommandLine, testable in-process.
import DHIS2CommandLine

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

let status = await DHIS2Command.run(Array(CommandLine.arguments.dropFirst()))
exit(status)
