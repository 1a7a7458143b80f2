import Foundation
import ReproCLI

exit(runCommandLine(Array(CommandLine.arguments.dropFirst())))
