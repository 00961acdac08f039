from workflow.journeys.panels import panel
from workflow.packets.operations import packets_of
from workflow.packets.rendering import preparing_of


@panel("journeys/panels/packets.html", order=90)
def packets_panel(journey, user):
    packets, preparing = packets_of(journey), preparing_of(journey)
    return {"packets": packets, "preparing": preparing} if packets or preparing else None
