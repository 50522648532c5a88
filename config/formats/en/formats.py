# The English interface is used in Vietnam too: keep dates day first.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "H:i, j M Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
