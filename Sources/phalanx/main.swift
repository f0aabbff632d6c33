import PhalanxCLI

await PhalanxCommand.runFromCommandLine()
