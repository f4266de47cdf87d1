import CLI

Labmake.runAndExit()
